"""JavaScript's semantics where promptfoo's assertions inherit them, in Python.

promptfoo is a Node program: `equals` compares with `util.isDeepStrictEqual`, `icontains` with
`toLowerCase`, `regex` compiles a JavaScript `RegExp`, `rouge-n` tokenises with js-rouge's Penn
Treebank tokenizer, `levenshtein` counts UTF-16 code units, `is-json` validates with Ajv (draft-07,
ajv-formats). Each helper here reproduces one of those, so a suite grades the same in both tools.

One idea (~560 lines): JavaScript's semantics, reproduced helper by helper; they share the
translation of JS values and regular expressions.
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import regex

from newsdesk.evals.yamlfile import load_js_yaml

# ---------------------------------------------------------------- values


def js_str(value: Any) -> str:
    """`String(value)` for a YAML/JSON scalar: 5.0 -> "5", True -> "true", None -> "null"."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, list):
        return ",".join("" if v is None else js_str(v) for v in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def js_to_fixed(value: float, digits: int) -> str:
    """`Number.prototype.toFixed`: the exact binary value rounded half away from zero (Python's
    format rounds half to even: 0.0625 -> "0.062", JavaScript's "0.063")."""
    if math.isnan(value) or math.isinf(value) or abs(value) >= 1e21:
        return js_str(value)
    exact = Decimal(0.0 if value == 0 else value)  # -0 prints as 0
    return str(exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def strict_equal(a: Any, b: Any) -> bool:
    """Node's `util.isDeepStrictEqual` on JSON values: no coercion (1 is not true, "1" is not
    1), but JSON has one number type, so 1 and 1.0 are equal."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(strict_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(strict_equal(x, y) for x, y in zip(a, b, strict=True))
    if a is None or b is None:
        return a is None and b is None
    return type(a) is type(b) and a == b


def js_numbers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {k: js_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [js_numbers(v) for v in value]
    return value


# String.prototype.trim's whitespace: WhiteSpace and LineTerminator (ECMA-262)
_TRIMMED = "\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff" + "".join(
    chr(c) for c in range(0x2000, 0x200B)
)


def js_trim(text: str) -> str:
    """`text.trim()`."""
    return text.strip(_TRIMMED)


def js_stringify(value: Any) -> str:
    """`JSON.stringify(value)`: compact, 1.0 written as 1, NaN as null, non-ASCII kept."""
    return json.dumps(js_numbers(value), ensure_ascii=False, separators=(",", ":"))


def js_json_parse(text: str) -> Any:
    """`JSON.parse`: like json.loads, but NaN/Infinity are not JSON and surrounding whitespace
    is JSON's own (space, tab, CR, LF)."""

    def bad(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    stripped = text.strip(" \t\r\n")
    if stripped != text.strip():
        raise ValueError("not JSON")
    return json.loads(stripped, parse_constant=bad)


# ---------------------------------------------------------------- comma-separated values


def comma_values(value: str) -> list[str]:
    """promptfoo's `parseCommaSeparatedValues`: fields split on commas, except inside double
    quotes ("a, b" is one field; \\" and "" escape a quote)."""
    out: list[str] = []
    i, n = 0, len(value)
    while i < n:
        while i < n and (value[i] in ", " or value[i].isspace()):
            i += 1
        if i >= n:
            break
        if value[i] == '"':
            i += 1
            field: list[str] = []
            closed = False
            while i < n:
                ch = value[i]
                if ch == "\\" and i + 1 < n and value[i + 1] in '"\\':
                    field.append(value[i + 1])
                    i += 2
                elif ch == '"' and i + 1 < n and value[i + 1] == '"':
                    field.append('"')
                    i += 2
                elif ch == '"':
                    i += 1
                    closed = True
                    break
                else:
                    field.append(ch)
                    i += 1
            if not closed:
                raise ValueError("unterminated quoted field in the value")
            out.append("".join(field))
            while i < n and value[i].isspace():
                i += 1
            if i < n and value[i] != ",":
                raise ValueError("expected a comma after a quoted field in the value")
        else:
            j = value.find(",", i)
            j = n if j < 0 else j
            out.append(value[i:j].strip())
            i = j
    return out


# ---------------------------------------------------------------- regular expressions

# JavaScript's \s: ASCII whitespace plus Unicode spaces and the BOM
_JS_SPACE = (
    "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
)


def js_regex(pattern: str, flags: str = "") -> re.Pattern[str]:
    """A JavaScript RegExp source as a Python pattern with the same meaning.

    Named groups `(?<name>...)` and `\\k<name>`, `$` (end of input only), `[^]`, ASCII `\\d \\w
    \\b`, Unicode `\\s`, `\\/`. Raises ValueError for what cannot be translated (`\\cX`, `u`-mode
    `\\p{...}` ...).
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    multiline = "m" in flags
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= n:
                raise ValueError("\\ at end of pattern")
            nxt = pattern[i + 1]
            if nxt == "k" and i + 2 < n and pattern[i + 2] == "<":
                end = pattern.find(">", i + 3)
                if end < 0:
                    raise ValueError("unterminated \\k<name>")
                out.append(f"(?P={pattern[i + 3 : end]})")
                i = end + 1
                continue
            if nxt == "c":
                raise ValueError("\\c control escapes are not supported")
            if nxt in "pP" and "u" not in flags:
                out.append(nxt)  # without the u flag, \p is a plain 'p'
                i += 2
                continue
            if nxt == "s":
                out.append(_JS_SPACE if in_class else f"[{_JS_SPACE}]")
            elif nxt == "S":
                if in_class:
                    raise ValueError("\\S inside a character class is not supported")
                out.append(f"[^{_JS_SPACE}]")
            elif nxt == "/":
                out.append("/")
            elif nxt == "u" and i + 2 < n and pattern[i + 2] == "{":
                end = pattern.find("}", i + 3)
                if end < 0 or "u" not in flags:
                    raise ValueError("\\u{...} needs the u flag")
                out.append(f"\\U{int(pattern[i + 3 : end], 16):08x}")
                i = end + 1
                continue
            elif nxt.isdigit() and nxt != "0" and not in_class:
                out.append("\\" + nxt)
            elif nxt.isalnum() and nxt not in "dDwWbBnrtfv0xuk" and nxt not in "pP":
                out.append(re.escape(nxt))  # JS: an unknown letter escape is the letter itself
            else:
                out.append(ch + nxt)
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
            elif ch == "[":
                out.append("\\[")
                i += 1
                continue
            out.append(ch)
            i += 1
            continue
        if ch == "[":
            if pattern.startswith("[^]", i):
                out.append("[\\s\\S]")
                i += 3
                continue
            if pattern.startswith("[]", i):
                out.append("(?!)")
                i += 2
                continue
            in_class = True
            out.append(ch)
            if i + 1 < n and pattern[i + 1] == "^":
                out.append("^")
                i += 1
            if i + 1 < n and pattern[i + 1] == "]":
                raise ValueError("an empty class [] followed by ]")
            i += 1
            continue
        if (
            ch == "("
            and pattern.startswith("(?<", i)
            and not pattern.startswith(("(?<=", "(?<!"), i)
        ):
            out.append("(?P<")
            i += 3
            continue
        if ch == "$":
            out.append("(?=\\n|\\Z)" if multiline else "\\Z")
            i += 1
            continue
        if ch == "{" and not re.match(r"\{\d+(,\d*)?\}", pattern[i:]):
            out.append("\\{")  # JS (without u): a brace that is no quantifier is literal
            i += 1
            continue
        if ch == "}":
            # literal unless it closes a quantifier we copied
            prev = "".join(out)
            if not re.search(r"\{\d+(,\d*)?$", prev):
                out.append("\\}")
                i += 1
                continue
        out.append(ch)
        i += 1
    if in_class:
        raise ValueError("unterminated character class")
    py_flags = re.ASCII
    if "i" in flags:
        py_flags |= re.IGNORECASE
    if multiline:
        py_flags |= re.MULTILINE
    if "s" in flags:
        py_flags |= re.DOTALL
    try:
        return re.compile("".join(out), py_flags)
    except re.error as exc:
        raise ValueError(str(exc)) from None
    except OverflowError as exc:
        raise ValueError(str(exc)) from None


# ---------------------------------------------------------------- rouge-n (js-rouge 3)

_CONTRACTIONS = [
    regex.compile(
        rf"(?<![\p{{ID_Continue}}\u200c\u200d]){p}(?![\p{{ID_Continue}}\u200c\u200d])", regex.I
    )
    for p in (
        "(can)(not)",
        "(d)('ye)",
        "(gim)(me)",
        "(gon)(na)",
        "(got)(ta)",
        "(lem)(me)",
        "(more)('n)",
        "(wan)(na)(?= )",
        "('t)(is)",
        "('t)(was)",
    )
]
_OPEN_CTX = regex.compile(r"[\s\p{P}<]")
_QUOTE_PREV = regex.compile(r"[\s\p{Ps}<]")
_WORDISH = regex.compile(r"^[\p{L}\p{N}\p{Sc}\p{Ps}]$")


def treebank_tokenize(text: str) -> list[str]:
    """js-rouge's `treeBankTokenize` (Penn Treebank rules), which promptfoo's rouge-n uses."""
    text = regex.sub(r"[\s\u0085]+", " ", text).strip()
    if not text:
        return []
    inside = False

    def quote(m: regex.Match[str]) -> str:
        nonlocal inside
        q, idx = m.group(0), m.start()
        prev = text[idx - 1] if idx > 0 else ""
        opens = not inside and (
            idx == 0 or bool(prev and _OPEN_CTX.match(prev)) or text[max(0, idx - 2) : idx] == "``"
        )
        rest = regex.search(r"``|''|\"", text[idx + 2 :])
        inside = q == "``" or (
            (idx + len(q) < len(text) or idx == 0 or bool(prev and _QUOTE_PREV.match(prev)))
            and opens
            and prev not in (".", "!", "?")
            and (
                q == '"'
                or (
                    idx > 0
                    and bool(_WORDISH.match(text[idx + 2 : idx + 3]))
                    and rest is not None
                    and rest.group(0) == "''"
                )
            )
        )
        return " `` " if inside else " '' "

    parse = regex.sub(r"``|''|\"", quote, text)
    parse = regex.sub(r"\.{3}", " ... ", parse)
    parse = regex.sub(r"[:,](?!\p{Nd})", r" \g<0> ", parse)
    parse = regex.sub(r"[;@#$%&]", r" \g<0> ", parse)
    parse = regex.sub(r"([^.])(?<!\b[A-Za-z]\.[A-Za-z])(\.)([\])}>'\s]*)$", r"\1 \2\3 ", parse)
    parse = regex.sub(r"[?!]", r" \g<0> ", parse)
    parse = regex.sub(r"[\]\[(){}<>]", r" \g<0> ", parse)
    parse = parse.replace("--", " -- ")
    parse = f" {parse} "
    parse = regex.sub(r"([^'])' ", r"\1 ' ", parse)
    parse = regex.sub(r"'([sSmMdD]) ", r" '\1 ", parse)
    parse = regex.sub(r"('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) ", r" \1 ", parse)
    for rx in _CONTRACTIONS:
        parse = rx.sub(r" \1 \2 ", parse)
    parse = regex.sub(r" {2,}", " ", parse)
    parse = regex.sub(r"^ | $", "", parse)
    return str(parse).split(" ")


def rouge_1(candidate: str, reference: str) -> float:
    """promptfoo's ROUGE-N (n = 1): lower-cased, Treebank tokens, clipped counts, F1."""
    c = treebank_tokenize(candidate.lower())
    r = treebank_tokenize(reference.lower())
    if not c or not r:
        return 0.0
    counts: dict[str, int] = {}
    for t in r:
        counts[t] = counts.get(t, 0) + 1
    seen: dict[str, int] = {}
    for t in c:
        seen[t] = seen.get(t, 0) + 1
    overlap = sum(min(k, counts.get(t, 0)) for t, k in seen.items())
    if not overlap:
        return 0.0
    p, q = overlap / len(c), overlap / len(r)
    if p == q:
        return p
    return 2 * p * q / (p + q)


# ---------------------------------------------------------------- levenshtein


def levenshtein(a: str, b: str) -> int:
    """Edit distance over UTF-16 code units, as `fastest-levenshtein` counts in JavaScript."""
    x = a.encode("utf-16-le")
    y = b.encode("utf-16-le")
    s = [x[i : i + 2] for i in range(0, len(x), 2)]
    t = [y[i : i + 2] for i in range(0, len(y), 2)]
    if len(s) < len(t):
        s, t = t, s
    prev = list(range(len(t) + 1))
    for i, cs in enumerate(s, 1):
        cur = [i]
        for j, ct in enumerate(t, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (cs != ct)))
        prev = cur
    return prev[-1]


# ---------------------------------------------------------------- JSON inside text


def _slash_comments_to_hash(text: str) -> str:
    out: list[str] = []
    for line in text.split("\n"):
        state, res, i = "normal", [], 0
        while i < len(line):
            ch = line[i]
            nxt = line[i + 1] if i + 1 < len(line) else ""
            prev = line[i - 1] if i > 0 else ""
            if state == "normal":
                if ch == "'" and not re.match(r"[a-zA-Z]", prev):
                    state = "single"
                elif ch == '"':
                    state = "double"
                elif ch == "/" and nxt == "/":
                    start = 0
                    for j in range(i - 1, -1, -1):
                        if line[j].isspace():
                            start = j + 1
                            break
                    if "://" in line[start : i + 2]:
                        res.append(ch)
                        i += 1
                        continue
                    res.append("#" + line[i + 2 :])
                    break
            elif (state == "single" and ch == "'" and prev != "\\") or (
                state == "double" and ch == '"' and prev != "\\"
            ):
                state = "normal"
            res.append(ch)
            i += 1
        out.append("".join(res))
    return "\n".join(out)


def extract_json_objects(text: str) -> list[Any]:
    """promptfoo's `extractJsonObjects`: every `{...}` in the text that parses (as YAML in JSON
    mode, so a trailing comma or `//` comment is forgiven), outermost first."""
    found: list[Any] = []
    limit = 100_000
    i = 0
    while i < len(text):
        if text[i] != "{":
            i += 1
            continue
        opened, closed, j = 1, 0, i + 1
        while j < min(i + limit, len(text)) and opened > closed:
            if text[j] == "{":
                opened += 1
            if text[j] == "}":
                closed += 1
            j += 1
            if opened == closed or j == len(text) or j == i + limit:
                candidate = text[i:j] + "}" * max(0, opened - closed)
                try:
                    value = load_js_yaml(_slash_comments_to_hash(candidate))
                except Exception:
                    if opened == closed:
                        break
                    continue
                if isinstance(value, dict | list):
                    found.append(value)
                    i = j - 1
                    break
        i += 1
    return found


# ---------------------------------------------------------------- JSON schema (Ajv + formats)


def _date(s: str) -> bool:
    m = re.fullmatch(r"(\d\d\d\d)-(\d\d)-(\d\d)", s)
    if not m:
        return False
    y, mo, d = (int(g) for g in m.groups())
    leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    days = [0, 31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return 1 <= mo <= 12 and 1 <= d <= days[mo]


def _time(s: str, strict_tz: bool = True) -> bool:
    m = re.fullmatch(r"(\d\d):(\d\d):(\d\d(?:\.\d+)?)(z|([+-])(\d\d)(?::?(\d\d))?)?", s, re.I)
    if not m:
        return False
    hr, mi, sec = int(m[1]), int(m[2]), float(m[3])
    tz, sign = m[4], -1 if m[5] == "-" else 1
    tzh, tzm = int(m[6] or 0), int(m[7] or 0)
    if tzh > 23 or tzm > 59 or (strict_tz and not tz):
        return False
    if hr <= 23 and mi <= 59 and sec < 60:
        return True
    umin = mi - tzm * sign
    uhr = hr - tzh * sign - (1 if umin < 0 else 0)
    return uhr in (23, -1) and umin in (59, -1) and sec < 61


def _date_time(s: str) -> bool:
    parts = re.split(r"t|\s", s, maxsplit=1, flags=re.I)
    return len(parts) == 2 and _date(parts[0]) and _time(parts[1])


_FORMATS: dict[str, Any] = {
    "date": _date,
    "time": _time,
    "date-time": _date_time,
    "email": re.compile(
        r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@"
        r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\Z",
        re.I,
    ),
    "hostname": re.compile(
        r"^(?=.{1,253}\.?\Z)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
        r"(?:\.[a-z0-9](?:[-0-9a-z]{0,61}[0-9a-z])?)*\.?\Z",
        re.I,
    ),
    "ipv4": re.compile(
        r"^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\Z"
    ),
    "uuid": re.compile(r"^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}\Z", re.I),
    "uri": re.compile(r"^[a-z][a-z0-9+\-.]*:[^\s]*\Z", re.I),
}


def _format_checker() -> Any:
    import jsonschema  # here, not at the top: ~90 ms to import, and only a schema check needs it

    checker = jsonschema.FormatChecker(formats=())

    def add(name: str, test: Any) -> None:
        def check(value: object) -> bool:
            if not isinstance(value, str):
                return True
            return bool(test(value)) if callable(test) else test.match(value) is not None

        checker.checks(name)(check)

    for name, test in _FORMATS.items():
        add(name, test)

    def ipv6(s: str) -> bool:
        try:
            return isinstance(ipaddress.ip_address(s), ipaddress.IPv6Address) and "%" not in s
        except ValueError:
            return False

    add("ipv6", ipv6)

    def is_regex(s: str) -> bool:
        try:
            js_regex(s)
        except ValueError:
            return False
        return True

    add("regex", is_regex)
    return checker


_CHECKER: Any = None


def _readable(test: Callable[[str, str], bool], pattern: Any) -> bool:
    if isinstance(pattern, str):
        test(pattern, "")  # raises ValueError when the pattern cannot be read
    return True


def schema_validator(
    schema: dict[str, Any], pattern_test: Callable[[str, str], bool] | None = None
) -> Any:
    """A draft-07 validator with ajv-formats' checks (Ajv's default draft; formats are asserted,
    as `addFormats` makes them). `pattern_test(pattern, text)` decides `pattern` keywords (Ajv:
    `new RegExp(pattern, "u").test(text)`, raising ValueError for a pattern it cannot read; the
    schema's own patterns are checked with it too); None leaves Python's `re`."""
    global _CHECKER
    import jsonschema  # here, not at the top: ~90 ms to import, and only a schema check needs it

    if _CHECKER is None:
        _CHECKER = _format_checker()
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    if pattern_test is None:
        cls.check_schema(schema)
    else:
        test = pattern_test
        meta = jsonschema.FormatChecker()
        meta.checkers = {**cls.FORMAT_CHECKER.checkers}
        meta.checkers["regex"] = (lambda p: _readable(test, p), ValueError)
        cls.check_schema(schema, format_checker=meta)

        def pattern(validator: Any, value: str, instance: Any, _schema: Any) -> Any:
            if validator.is_type(instance, "string") and not test(value, instance):
                yield jsonschema.ValidationError(f"{instance!r} does not match {value!r}")

        cls = jsonschema.validators.extend(cls, {"pattern": pattern})
    return cls(schema, format_checker=_CHECKER)
