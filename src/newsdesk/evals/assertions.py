"""Assertion types: promptfoo's semantics (0.123) where the types overlap, newsdesk's own for
citations.

Every check returns a Grade (pass, score, reason) with `not-` applied the way promptfoo applies
it: a pass/fail check scores 1 when the (negated) verdict passes, 0 otherwise; a graded check
(`rouge-n`, `similar`, `llm-rubric`, newsdesk's `cites`...) scores 1 - score under `not-`; a
script (`python`, `javascript`) returning a number keeps that number as its score, unclamped.
String values are templates over the test's vars (`contains: "{{ city }}"`), as in promptfoo.

Suites are code: `python`, `javascript` and transforms run what the suite says; run only suites
you trust. JavaScript runs in a real `node` (newsdesk.evals.node), never emulated.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsdesk.article import normalise_ws
from newsdesk.evals import jscompat

if TYPE_CHECKING:
    from newsdesk.evals.spec import AssertionSpec
    from newsdesk.llm.client import LLMClient
    from newsdesk.tasks.contract import TaskOutput

DEFAULT_SIMILAR = 0.75  # promptfoo's default threshold for `similar`
DEFAULT_ROUGE = 0.75  # and for `rouge-n`
DEFAULT_LEVENSHTEIN = 5.0  # and the largest distance `levenshtein` accepts by default
_ID = re.compile(r"^S\d+$", re.IGNORECASE)
_INLINE_ID = re.compile(r"\[(S\d+(?:\s*,\s*S\d+)*)\]")
_ABSTAIN = re.compile(
    r"\b(?:does\s*n[o']t|doesn't|did\s*n[o']t|didn't|do\s*n[o']t)\s+"
    r"(?:say|mention|state|specify|report|tell|include|give|provide)"
    r"|\bnot\s+(?:mentioned|stated|specified|reported|given|said|in\s+the\s+article)"
    r"|\bno\s+(?:information|mention|details?)\b"
    r"|\b(?:cannot|can't|can\s+not)\s+be\s+(?:determined|answered)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
PASSED = "Assertion passed"


@dataclass
class Grade:
    passed: bool
    score: float
    reason: str
    named_scores: dict[str, float] = field(default_factory=dict)
    components: list[Any] = field(default_factory=list)  # (label, Grade) of an assert-set


@dataclass
class EvalContext:
    """What an assertion may look at besides the output text."""

    vars: dict[str, Any]
    task: TaskOutput | None = None
    latency_ms: float | None = None
    cached: bool = False
    cost: float | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    prompt: str = ""  # the prompt as sent (rendered; a chat prompt as its JSON)
    prompt_label: str = ""
    provider: str = ""  # the provider's label
    provider_id: str = ""
    base_dir: Path = field(default_factory=Path.cwd)
    test: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    # resolves a grader provider (an assertion's `provider`, the test's options.provider, or
    # None for the case's own provider) to (client, its embeddings model or None)
    grader: Callable[[Any], tuple[LLMClient, str | None]] | None = None
    notes: list[str] = field(default_factory=list)
    raw_output: Any = None  # the output before coercion to text (what scripts receive)

    def as_dict(self) -> dict[str, Any]:
        """`context` as `python`/`javascript` assertions see it: promptfoo's keys (prompt, vars,
        test, provider, providerResponse) plus newsdesk's task context for built-in tasks."""
        task = self.task
        out: dict[str, Any] = {
            "prompt": self.prompt,
            "vars": self.vars,
            "test": self.test or {"vars": self.vars},
            "provider": {"id": self.provider_id or self.provider, "label": self.provider},
            "providerResponse": {
                "output": task.output if task else None,
                "tokenUsage": {
                    "prompt": self.prompt_tokens,
                    "completion": self.completion_tokens,
                    "total": self.prompt_tokens + self.completion_tokens,
                },
                "cached": self.cached,
                "cost": self.cost,
                "latencyMs": self.latency_ms,
            },
            "metadata": self.metadata,
            # newsdesk's own (built-in tasks)
            "result": task.result if task else {},
            "citations": [c.to_dict() for c in task.citations] if task else [],
            "dropped": list(task.dropped) if task else [],
            "invalid": list(task.invalid) if task else [],
            "article": task.article.text if task and task.article is not None else "",
            "latency_ms": self.latency_ms,
            "cached": self.cached,
            "cost": self.cost,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
        }
        return out

    def transform_context(self) -> dict[str, Any]:
        """`context` as transforms see it (promptfoo: vars, prompt.label, metadata)."""
        out: dict[str, Any] = {"vars": self.vars, "prompt": {"label": self.prompt_label}}
        if self.metadata:
            out["metadata"] = self.metadata
        return out


# a check gets the output, the rendered value, the spec, the context and whether it is negated
Check = Callable[[str, Any, "AssertionSpec", EvalContext, bool], Grade]


def _binary(ok: bool, inverse: bool, fail_reason: str) -> Grade:
    passed = ok != inverse
    return Grade(passed, 1.0 if passed else 0.0, PASSED if passed else fail_reason)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float) or value is None:
        return jscompat.js_str(value)
    return json.dumps(value, ensure_ascii=False)


def _items(value: Any) -> list[str]:
    """A list, or promptfoo's comma-separated string (quoted fields keep their commas)."""
    if isinstance(value, list):
        return [jscompat.js_str(v) for v in value]
    if isinstance(value, str):
        return jscompat.comma_values(value)
    return [jscompat.js_str(value)]


def _short(text: str, n: int = 80) -> str:
    text = normalise_ws(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def _not(inverse: bool) -> str:
    return "not " if inverse else ""


# ---------------------------------------------------------------- values as templates

_env: Any = None


def template_env() -> Any:
    """Jinja2 reading Nunjucks' common syntax, as promptfoo renders values and prompts: an
    undefined var (or an attribute of one) renders empty, values print as JavaScript's String()
    prints them (true, 5, a,b), trailing newlines are kept, `dump` is JSON, `load` parses JSON,
    `env` is the environment."""
    global _env
    if _env is None:
        import os

        import jinja2

        def finalize(value: Any) -> Any:
            if value is None or isinstance(value, jinja2.Undefined):
                return ""
            return value if isinstance(value, str) else jscompat.js_str(value)

        env = jinja2.Environment(
            keep_trailing_newline=True,
            autoescape=False,
            undefined=jinja2.ChainableUndefined,
            finalize=finalize,
        )
        env.filters["dump"] = lambda v, indent=None: (
            jscompat.js_stringify(v)
            if indent is None
            else json.dumps(v, indent=indent, ensure_ascii=False)
        )
        env.filters["json"] = env.filters["dump"]
        env.filters["load"] = json.loads  # promptfoo's own filter: JSON text -> value
        env.globals["env"] = dict(os.environ)
        _env = env
    return _env


def render_template(text: str, variables: dict[str, Any]) -> str:
    if "{" not in text:
        return text
    return str(template_env().from_string(text).render(**variables))


def render_value(value: Any, variables: dict[str, Any], base_dir: Path) -> Any:
    """promptfoo's renderedValue: strings are templates over the vars; `file://` text/JSON/YAML
    files are read (scripts stay references: python/javascript run them)."""
    if isinstance(value, str):
        if value.startswith("file://"):
            return _file_value(value, base_dir)
        return render_template(value, variables)
    if isinstance(value, list):
        return [
            _file_value(v, base_dir)
            if isinstance(v, str) and v.startswith("file://")
            else render_template(v, variables)
            if isinstance(v, str)
            else v
            for v in value
        ]
    return value


def _file_path(ref: str, base_dir: Path) -> tuple[Path, str | None]:
    raw = ref[len("file://") :]
    fn: str | None = None
    m = re.match(r"^(.*\.(?:py|js|mjs|cjs|ts)):([A-Za-z_$][\w$]*)$", raw)
    if m:
        raw, fn = m.group(1), m.group(2)
    path = Path(raw).expanduser()
    return (path if path.is_absolute() else base_dir / path), fn


def _file_value(ref: str, base_dir: Path) -> Any:
    path, _ = _file_path(ref, base_dir)
    if path.suffix in (".py", ".js", ".mjs", ".cjs", ".ts"):
        return ref
    return read_data_file(path)


def read_data_file(path: Path) -> Any:
    """A `file://` value or var: JSON and YAML parsed, anything else its text."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    if path.suffix in (".yaml", ".yml"):
        from newsdesk.evals.yamlfile import load_js_yaml

        return load_js_yaml(text)
    return text


# ---------------------------------------------------------------- text checks


def _equals(output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool) -> Grade:
    if isinstance(value, dict | list):
        try:
            same = jscompat.strict_equal(value, jscompat.js_json_parse(output))
        except ValueError:
            same = False
        shown = json.dumps(value, ensure_ascii=False)
    else:
        shown = jscompat.js_str(value)
        same = shown == output
    return _binary(same, inv, f'Expected output "{_short(output)}" to {_not(inv)}equal "{shown}"')


def _contains_value(spec: AssertionSpec, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float) or value == "":
        raise ValueError(f'"{spec.type}" assertion type must have a string or number value')
    return jscompat.js_str(value)


def _contains(output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool) -> Grade:
    needle = _contains_value(spec, value)
    return _binary(needle in output, inv, f'Expected output to {_not(inv)}contain "{needle}"')


def _icontains(output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool) -> Grade:
    needle = _contains_value(spec, value)
    found = needle.lower() in output.lower()  # JavaScript's toLowerCase, not casefold
    return _binary(found, inv, f'Expected output to {_not(inv)}contain "{needle}"')


def _multi(fold: bool, need_all: bool) -> Check:
    def check(output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool) -> Grade:
        items = _items(value)
        hay = output.lower() if fold else output
        missing = [i for i in items if (i.lower() if fold else i) not in hay]
        if need_all:
            ok = not missing
            why = f"contain all of [{', '.join(items)}]. Missing: [{', '.join(missing)}]"
        else:
            ok = len(missing) < len(items)
            why = f'contain one of "{", ".join(items)}"'
        return _binary(ok, inv, f"Expected output to {_not(inv)}{why}")

    return check


def _starts_with(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    prefix = _text(value)
    return _binary(
        output.startswith(prefix), inv, f'Expected output to {_not(inv)}start with "{prefix}"'
    )


def _regex(output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool) -> Grade:
    pattern = _text(value)
    try:
        rx = jscompat.js_regex(pattern)
    except ValueError as exc:
        return Grade(False, 0.0, f"Invalid regex pattern: {exc}")
    ok = rx.search(output) is not None
    return _binary(ok, inv, f'Expected output to {_not(inv)}match regex "{pattern}"')


def _levenshtein(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    if not isinstance(value, str):
        raise ValueError('"levenshtein" assertion type must have a string value')
    dist = jscompat.levenshtein(output, value)
    limit = spec.threshold if spec.threshold is not None else DEFAULT_LEVENSHTEIN
    rel = "less than or equal to" if inv else "greater than"
    return _binary(dist <= limit, inv, f"Levenshtein distance {dist} is {rel} threshold {limit:g}")


def _schema(value: Any, ctx: EvalContext) -> dict[str, Any] | None:
    """The rendered value as a schema: an object, or YAML/JSON text (a file was read already)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        from newsdesk.evals.yamlfile import load_js_yaml

        value = load_js_yaml(value)
    if not isinstance(value, dict):
        raise ValueError("is-json assertion must have a string or object value")
    return value


def _schema_errors(validator: Any, data: Any) -> str:
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    if not errors:
        return ""
    first = errors[0]
    where = "/".join(str(p) for p in first.path)
    return f"data{'/' + where if where else ''} {first.message}"


def _is_json(output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool) -> Grade:
    try:
        data = jscompat.js_json_parse(output)
    except ValueError:
        return _binary(False, inv, f"Expected output to {_not(inv)}be valid JSON")
    schema = _schema(value, ctx)
    if schema is None:
        return _binary(True, inv, f"Expected output to {_not(inv)}be valid JSON")
    errors = _schema_errors(jscompat.schema_validator(schema), data)
    ok = not errors
    if ok == inv:
        why = (
            "Output is JSON that conforms to the provided schema"
            if inv
            else f"JSON does not conform to the provided schema. Errors: {errors}"
        )
        return Grade(False, 0.0, why)
    return Grade(True, 1.0, PASSED)


def _contains_json(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    found = jscompat.extract_json_objects(output)
    passed = (not found) if inv else bool(found)
    reason = f"Expected output to {_not(inv)}contain valid JSON"
    schema = _schema(value, ctx)
    if schema is not None:
        validator = jscompat.schema_validator(schema)
        for obj in found:
            errors = _schema_errors(validator, obj)
            valid = not errors
            passed = (not valid) if inv else valid
            if valid:
                if inv:
                    reason = "Output contains JSON conforming to the provided schema"
                break
            reason = f"JSON does not conform to the provided schema. Errors: {errors}"
    return Grade(passed, 1.0 if passed else 0.0, PASSED if passed else reason)


# ---------------------------------------------------------------- scripts


def script_grade(value: Any, spec: AssertionSpec, inv: bool, language: str) -> Grade:
    """promptfoo's normalizeScriptResult: a boolean, a number (the score; passes when > 0, or
    >= threshold), or a {pass, score, reason} object (threshold applied to its score)."""
    if isinstance(value, str):
        low = value.lower()
        if low in ("true", "false"):
            value = low == "true"
        elif value.startswith("{"):
            value = json.loads(value)
    if isinstance(value, bool):
        passed = value != inv
        return Grade(
            passed,
            1.0 if passed else 0.0,
            PASSED if passed else f"{language} code returned {str(value).lower()}",
        )
    if isinstance(value, dict):
        result = dict(value)
        if "pass_" in result and "pass" not in result:
            result["pass"] = result["pass_"]
        if "named_scores" in result and "namedScores" not in result:
            result["namedScores"] = result["named_scores"]
        ok = (
            isinstance(result.get("pass"), bool)
            and isinstance(result.get("score"), int | float)
            and not isinstance(result.get("score"), bool)
            and isinstance(result.get("reason"), str)
        )
        if not ok:
            raise ValueError(
                f"{language} assertion must return a boolean, number, or "
                "{pass, score, reason} object"
            )
        raw_pass, score, reason = bool(result["pass"]), float(result["score"]), result["reason"]
        if spec.threshold is not None and score < spec.threshold:
            raw_pass = False
            msg = (
                f"{language} score {jscompat.js_str(score)} is less than threshold "
                f"{spec.threshold:g}"
            )
            reason = f"{msg}: {reason}" if reason else msg
        passed = raw_pass != inv
        if passed != raw_pass:
            reason = PASSED if passed else f"{language} code returned {str(raw_pass).lower()}"
        named = result.get("namedScores") if isinstance(result.get("namedScores"), dict) else {}
        return Grade(passed, score, reason, named_scores=dict(named or {}))
    if value is None or isinstance(value, list):
        raise ValueError(
            f"{language} assertion must return a boolean, number, or {{pass, score, reason}} object"
        )
    try:
        score = float(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"{language} assertion must return a boolean, number, or {{pass, score, reason}} "
            f"object. Instead got: {value!r}"
        ) from None
    if math.isnan(score):
        raise ValueError(f"{language} assertion returned NaN")
    raw = score > 0 if spec.threshold is None else score >= spec.threshold
    passed = raw != inv
    return Grade(
        passed, score, PASSED if passed else f"{language} code returned {str(raw).lower()}"
    )


def _python_source(code: str) -> str:
    """promptfoo's buildPythonScript: one line is `return <expression>`; several lines are the
    body of `main(output, context)`, indented with the code's own indent."""
    if "\n" in code:
        m = re.search(r"^(?!\s*$)\s+", code, re.MULTILINE)
        indent = m.group(0) if m else "    "
        body = "\n".join(indent + line for line in code.split("\n"))
    else:
        body = f"    return {code}"
    return f"import json\n\ndef main(output, context):\n{body}\n"


def _json_roundtrip(value: Any) -> Any:
    """What a script sees: plain JSON (promptfoo passes output and context through JSON)."""
    return json.loads(json.dumps(value, default=str))


def run_python_file(path: Path, fn: str, args: list[Any]) -> Any:
    namespace: dict[str, Any] = {"__file__": str(path), "__name__": "__promptfoo__"}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    func = namespace.get(fn)
    if not callable(func):
        raise ValueError(f"{path} defines no {fn}()")
    return func(*args)


def _python(output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool) -> Grade:
    context = _json_roundtrip(ctx.as_dict())
    raw = _json_roundtrip(ctx.raw_output if ctx.raw_output is not None else output)
    code = str(value)
    try:
        if code.startswith("file://"):
            path, fn = _file_path(code, ctx.base_dir)
            result = run_python_file(path, fn or "get_assert", [raw, context])
        else:
            namespace: dict[str, Any] = {"re": re}
            exec(_python_source(code), namespace)
            result = namespace["main"](raw, context)
        result = _json_roundtrip(result)
    except Exception as exc:
        return Grade(False, 0.0, f"Python code execution failed: {type(exc).__name__}: {exc}")
    try:
        return script_grade(result, spec, inv, "Python")
    except ValueError as exc:
        return Grade(False, 0.0, f"Python code execution failed: {exc}")


def _javascript(output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool) -> Grade:
    from newsdesk.evals.node import JSError, worker

    raw = ctx.raw_output if ctx.raw_output is not None else output
    code = str(value)
    try:
        if code.startswith("file://"):
            path, fn = _file_path(code, ctx.base_dir)
            result, undefined = worker().call("assert", raw, ctx.as_dict(), file=str(path), fn=fn)
        else:
            result, undefined = worker().call("assert", raw, ctx.as_dict(), code=code)
    except JSError as exc:
        return Grade(False, 0.0, f"Custom function threw error: {exc}")
    if undefined or not (isinstance(result, bool | int | float | dict)):
        got = "undefined" if undefined else type(result).__name__
        return Grade(
            False,
            0.0,
            "Custom function threw error: must return a boolean, number, or GradingResult "
            f"object. Got {got}",
        )
    try:
        if isinstance(result, dict):
            ok = (
                isinstance(result.get("pass"), bool)
                and isinstance(result.get("score"), int | float)
                and isinstance(result.get("reason"), str)
            )
            if not ok:
                raise ValueError("must return a boolean, number, or GradingResult object")
            passed = result["pass"] != inv
            reason = (
                result["reason"]
                if passed == result["pass"]
                else (
                    PASSED if passed else f"Custom function returned {str(result['pass']).lower()}"
                )
            )
            named = result.get("namedScores") if isinstance(result.get("namedScores"), dict) else {}
            return Grade(passed, float(result["score"]), reason, named_scores=dict(named or {}))
        return script_grade(result, spec, inv, "Custom function")
    except ValueError as exc:
        return Grade(False, 0.0, f"Custom function threw error: {exc}")


# ---------------------------------------------------------------- similarity


def lexical_cosine(a: str, b: str) -> float:
    """Cosine of term-frequency vectors over case-folded word tokens (letters and digits).

    The fallback for `similar` when the grading provider has no embeddings. It measures shared
    wording, not meaning: paraphrases score low, so set thresholds lower than for embeddings.
    """
    va = Counter(_WORD.findall(a.casefold()))
    vb = Counter(_WORD.findall(b.casefold()))
    if not va or not vb:
        return 0.0
    dot = sum(va[w] * vb[w] for w in va.keys() & vb.keys())
    return dot / (
        math.sqrt(sum(v * v for v in va.values())) * math.sqrt(sum(v * v for v in vb.values()))
    )


def _embedding_cosine(llm: LLMClient, model: str, a: str, b: str) -> float:
    client = llm._openai()
    x = client.embeddings.create(model=model, input=a).data[0].embedding
    y = client.embeddings.create(model=model, input=b).data[0].embedding
    dot = sum(p * q for p, q in zip(x, y, strict=True))
    norm = math.sqrt(sum(p * p for p in x)) * math.sqrt(sum(q * q for q in y))
    return dot / norm if norm else 0.0


def _similar(output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool) -> Grade:
    """promptfoo's similar: cosine of embeddings (the grader provider's: `openai:embedding:MODEL`,
    or a provider whose config names `embeddings`), passing at >= threshold (default 0.75);
    `not-` passes at <= threshold and scores 1 - similarity. Against a list, the first value
    that passes wins (negated: the first that fails). Without embeddings, a lexical cosine over
    words, said in the run's notes."""
    threshold = spec.threshold if spec.threshold is not None else DEFAULT_SIMILAR
    eps = 2.220446049250313e-16
    measure = "lexical cosine"
    scorer: Callable[[str, str], float] = lexical_cosine
    if ctx.grader is not None:
        llm, emb_model = ctx.grader(spec.provider)
        if emb_model:
            measure = f"embedding cosine ({emb_model})"
            model_name = emb_model

            def scorer(a: str, b: str) -> float:
                return _embedding_cosine(llm, model_name, a, b)

        else:
            note = (
                f"similar: provider {llm.settings.model_name} has no embeddings "
                "(use provider: openai:embedding:MODEL, or set config.embeddings); used lexical "
                "cosine over words"
            )
            if note not in ctx.notes:
                ctx.notes.append(note)

    def one(reference: Any) -> Grade:
        sim = scorer(_text(reference), output)
        passed = sim <= threshold + eps if inv else sim >= threshold - eps
        rel = "greater than or equal to" if sim >= threshold - eps else "less than"
        return Grade(
            passed,
            1.0 - sim if inv else sim,
            f"{measure} {sim:.2f} is {rel} threshold {threshold:g}",
        )

    if not isinstance(value, list):
        return one(value)
    if inv:
        closest: Grade | None = None
        for reference in value:
            result = one(reference)
            if not result.passed:
                return result
            if closest is None or result.score < closest.score:
                closest = result
        assert closest is not None
        return closest
    best = -math.inf
    for reference in value:
        result = one(reference)
        if result.passed:
            return result
        best = max(best, result.score)
    return Grade(False, best, "None of the provided values met the similarity threshold")


def rouge_n(candidate: str, reference: str, n: int = 1) -> float:
    """promptfoo's ROUGE-N (n = 1): js-rouge's Treebank tokens, lower-cased, clipped counts."""
    if n != 1:
        raise ValueError("rouge-n is ROUGE-1, as in promptfoo")
    return jscompat.rouge_1(candidate, reference)


def _rouge(output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool) -> Grade:
    if not isinstance(value, str):
        raise ValueError('"rouge" assertion type must be a string value')
    threshold = spec.threshold if spec.threshold is not None else DEFAULT_ROUGE
    score = jscompat.rouge_1(output, value)
    rel = "greater than or equal to" if score >= threshold else "less than"
    return Grade(
        (score >= threshold) != inv,
        1.0 - score if inv else score,
        f"ROUGE-N score {score:.2f} is {rel} threshold {threshold:g}",
    )


# ---------------------------------------------------------------- model-graded


# promptfoo's default llm-rubric grading prompt (promptfoo, MIT licence), so a grader model sees
# what it would see under promptfoo
RUBRIC_SYSTEM = (
    "You are grading output according to a user-specified rubric. If the statement in the rubric "
    "is true, then the output passes the test. You respond with a JSON object with this "
    "structure: {reason: string, pass: boolean, score: number}\n\nExamples:\n\n"
    "<Output>Hello world</Output>\n<Rubric>Content contains a greeting</Rubric>\n"
    '{"reason": "the content contains the word \'Hello\'", "pass": true, "score": 1.0}\n\n'
    "<Output>Avast ye swabs, repel the invaders!</Output>\n"
    "<Rubric>Does not speak like a pirate</Rubric>\n"
    '{"reason": "\'avast ye\' is a common pirate term", "pass": false, "score": 0.0}'
)


def _rubric(output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool) -> Grade:
    """promptfoo's llm-rubric: the grader answers JSON {reason, pass, score}; pass defaults to
    true and score to the pass; with a threshold the score must reach it; `not-` flips the pass
    and scores 1 - score. The bundled embedded model (a base model) gets newsdesk's few-shot
    completion prompt instead of promptfoo's chat, and the same parsing."""
    from newsdesk.prompts import render

    if ctx.grader is None:
        return Grade(False, 0.0, "llm-rubric needs a grading provider")
    llm, _ = ctx.grader(spec.provider)
    rubric = _text(value)
    if llm.settings.embedded and not llm.settings.gguf:
        # the base model follows few-shot JSON; a schema (grammar-enforced) keeps it valid
        text = render("eval-rubric.j2", output=output, rubric=rubric)
        schema = {
            "type": "object",
            "properties": {
                "reason": {"type": "string"},
                "passed": {"type": "boolean"},
                "score": {"type": "number", "minimum": 0, "maximum": 1},
            },
            "required": ["reason", "passed", "score"],
            "additionalProperties": False,
        }
        content = llm.chat(
            [{"role": "user", "content": text}], max_tokens=160, schema=schema, schema_name="grade"
        ).content
    else:
        messages = [
            {"role": "system", "content": RUBRIC_SYSTEM},
            {
                "role": "user",
                "content": f"<Output>\n{output}\n</Output>\n<Rubric>\n{rubric}\n</Rubric>",
            },
        ]
        content = llm.chat(messages, max_tokens=256).content
    found = jscompat.extract_json_objects(content)
    parsed = next((o for o in found if isinstance(o, dict)), None)
    if parsed is None:
        return Grade(False, 0.0, f"llm-rubric: the grader answered no JSON: {_short(content)}")
    raw_pass = parsed.get("pass", parsed.get("passed", True))
    if not isinstance(raw_pass, bool):
        raw_pass = re.fullmatch(r"true|yes|pass|y", str(raw_pass), re.IGNORECASE) is not None
    score = parsed.get("score")
    if isinstance(score, bool) or not isinstance(score, int | float):
        try:
            score = float(score)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            score = float(raw_pass)
        if math.isnan(score):
            score = float(raw_pass)
    result = interpret_rubric(
        raw_pass, float(score), str(parsed.get("reason") or ""), spec.threshold, llm.model
    )
    if inv:
        return Grade(not result.passed, 1.0 - result.score, result.reason)
    return result


def interpret_rubric(
    passed: bool, score: float, reason: str, threshold: float | None, grader: str
) -> Grade:
    """The grader's verdict; with a threshold, the score must also reach it (pure). The score is
    the grader's, unclamped, as in promptfoo."""
    score = float(score)
    ok = passed and (threshold is None or score >= threshold)
    return Grade(ok, score, f"graded by {grader}: {_short(reason, 160)}")


# ---------------------------------------------------------------- cost and speed


def _latency(output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool) -> Grade:
    limit = float(spec.threshold or 0)
    if ctx.cached:
        raise ValueError("Latency assertion does not support cached results. Rerun with --no-cache")
    ms = ctx.latency_ms or 0.0
    rel = "less than or equal to" if inv else "greater than"
    return _binary(ms <= limit, inv, f"Latency {ms:.0f}ms is {rel} threshold {limit:g}ms")


def _cost(output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool) -> Grade:
    limit = float(spec.threshold or 0)
    if ctx.cost is None:
        return Grade(False, 0.0, f"no price known for provider {ctx.provider}: cost unknown")
    rel = "less than or equal to" if inv else "greater than"
    return _binary(ctx.cost <= limit, inv, f"Cost {ctx.cost:.2g} is {rel} threshold {limit:g}")


def _max_tokens(output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool) -> Grade:
    from newsdesk.tokens import count_tokens

    limit = int(value)
    n = count_tokens(output)
    return _binary(n <= limit, inv, f"output is {n} tokens vs limit {limit}")


# ---------------------------------------------------------------- newsdesk's own


def _graded(result: Grade, inv: bool) -> Grade:
    if inv:
        return Grade(not result.passed, 1.0 - result.score, f"not: {result.reason}")
    return result


def _cited(ctx: EvalContext) -> tuple[list[str], dict[str, str]]:
    task = ctx.task
    if task is None:
        return [], {}
    return [c.id for c in task.citations], {c.id: c.text for c in task.citations}


def _cite_item(item: Any, ids: list[str], texts: dict[str, str]) -> bool:
    if isinstance(item, dict):
        return any(_cite_item(i, ids, texts) for i in item.get("any", []))
    text = _text(item).strip()
    if _ID.match(text):
        return text.upper() in ids
    phrase = normalise_ws(text).casefold()
    return any(phrase in normalise_ws(t).casefold() for t in texts.values())


def _cites(output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool) -> Grade:
    ids, texts = _cited(ctx)
    items = value if isinstance(value, list) else [value]
    ok = [i for i in items if _cite_item(i, ids, texts)]
    missing = [i for i in items if i not in ok]
    cited = ", ".join(ids) or "nothing"
    if missing:
        return _graded(
            Grade(False, len(ok) / len(items), f"cited {cited}; not satisfied: {missing}"), inv
        )
    return _graded(Grade(True, 1.0, f"cited {cited}"), inv)


def _cites_valid(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    task = ctx.task
    if task is None or task.article is None:
        return _binary(False, inv, "this prompt produced no citations to check")
    problems: list[str] = []
    if task.invalid:
        problems.append(f"invented or unshown ids {task.invalid}")
    article = task.article
    for c in task.citations:
        sentence = article.by_id.get(c.id)
        if sentence is None:
            problems.append(f"{c.id} is not in the article")
        elif normalise_ws(article.text[c.start : c.end]) != c.text or c.text != sentence.text:
            problems.append(f"{c.id} does not quote the article verbatim")
    for group in _INLINE_ID.findall(output):
        for sid in re.split(r"\s*,\s*", group):
            if sid.upper() not in article.by_id:
                problems.append(f"output mentions [{sid}], which is not in the article")
    if problems:
        return _binary(False, inv, "; ".join(problems))
    n = len(task.citations)
    ok_reason = f"{n} citation(s), all verbatim" if n else "no citations (none invalid)"
    return _binary(True, inv, f"not: {ok_reason}") if inv else Grade(True, 1.0, ok_reason)


def _abstains(output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool) -> Grade:
    if ctx.task is not None and ctx.task.abstained is not None:
        said = ctx.task.abstained
        why = "answered that the article does not say" if said else "gave an answer"
    else:
        said = _ABSTAIN.search(output) is not None
        why = "says the article does not say" if said else "does not abstain"
    passed = said != inv
    return Grade(passed, 1.0 if passed else 0.0, why)


def _party_names(party: Any) -> list[str]:
    if isinstance(party, str):
        return [party]
    if isinstance(party, dict):
        names = [party.get("name", "")]
        aliases = party.get("aliases") or []
        names += [a for a in aliases if isinstance(a, str)]
        return [n for n in names if isinstance(n, str) and n]
    return []


def _parties_include(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    parties = ctx.task.parties if ctx.task is not None else None
    if parties is None:
        try:
            data = json.loads(output)
            parties = data.get("parties") if isinstance(data, dict) else None
        except json.JSONDecodeError:
            parties = None
    if not isinstance(parties, list):
        return _graded(Grade(False, 0.0, "the output lists no parties"), inv)
    found = [_party_names(p) for p in parties]

    def match(expected: str) -> bool:
        want = set(_WORD.findall(expected.casefold()))
        for names in found:
            for name in names:
                have = set(_WORD.findall(name.casefold()))
                # "Trump" matches "Donald Trump"; "President Donald Trump" matches a party
                # named "Donald Trump"; but a lone surname never stands for a full name
                # ("Cheney" is not "Mary Cheney").
                if want and have and (want <= have or (len(have) >= 2 and have <= want)):
                    return True
        return False

    expected = _items(value)
    missing = [e for e in expected if not match(e)]
    names = ", ".join(n[0] for n in found if n) or "none"
    if missing:
        return _graded(
            Grade(False, 1 - len(missing) / len(expected), f"missing {missing}; found {names}"), inv
        )
    return _graded(Grade(True, 1.0, f"found {names}"), inv)


ASSERTIONS: dict[str, Check] = {
    "equals": _equals,
    "contains": _contains,
    "icontains": _icontains,
    "contains-any": _multi(fold=False, need_all=False),
    "contains-all": _multi(fold=False, need_all=True),
    "icontains-any": _multi(fold=True, need_all=False),
    "icontains-all": _multi(fold=True, need_all=True),
    "starts-with": _starts_with,
    "regex": _regex,
    "levenshtein": _levenshtein,
    "is-json": _is_json,
    "contains-json": _contains_json,
    "python": _python,
    "javascript": _javascript,
    "similar": _similar,
    "rouge-n": _rouge,
    "llm-rubric": _rubric,
    "latency": _latency,
    "cost": _cost,
    "cites": _cites,
    "cites-valid": _cites_valid,
    "abstains": _abstains,
    "parties-include": _parties_include,
    "max-tokens": _max_tokens,
}
# assert-set is a group (suite.py/runner.py), not a check
GROUP_TYPES = ("assert-set",)
TASK_ONLY = {"cites", "cites-valid", "parties-include"}  # need a built-in task's citations

_NEEDS_VALUE = {
    "equals", "contains", "icontains", "contains-any", "contains-all", "icontains-any",
    "icontains-all", "starts-with", "regex", "python", "javascript", "similar", "rouge-n",
    "llm-rubric", "cites", "parties-include", "max-tokens", "levenshtein",
}  # fmt: skip
_NEEDS_THRESHOLD = {"latency", "cost"}
_NO_VALUE = {"cites-valid", "abstains", "latency", "cost"}


def _is_template(text: str) -> bool:
    return "{{" in text or "{%" in text


def needs_node(spec: AssertionSpec) -> str | None:
    """Why this assertion needs JavaScript (None: it does not)."""
    if spec.type == "javascript":
        value = str(spec.value)
        if value.startswith("file://") and value.split(":")[1].endswith(".py"):
            return None
        return "a javascript assertion"
    if spec.transform is not None and is_js_transform(spec.transform):
        return "a JavaScript transform"
    return None


def is_js_transform(code: str) -> bool:
    """promptfoo's transforms are JavaScript, except `file://*.py`; newsdesk also reads
    `python: EXPRESSION` (its own extension, never promptfoo's)."""
    if code.startswith("python:"):
        return False
    if code.startswith("file://"):
        return not code[len("file://") :].split(":")[0].endswith(".py")
    return True


def validate(spec: AssertionSpec, base_dir: Path) -> str | None:
    """What is wrong with an assertion's value (None: nothing), checked when the suite loads."""
    name = spec.label
    if spec.type in _NEEDS_VALUE and spec.value in (None, "", []):
        return f"{name} needs a `value`"
    if spec.type in _NO_VALUE and spec.value is not None:
        hint = " (use `threshold`)" if spec.type in _NEEDS_THRESHOLD else ""
        return f"{name} takes no `value`{hint}"
    if spec.type in _NEEDS_THRESHOLD and spec.threshold is None:
        unit = "milliseconds" if spec.type == "latency" else "US dollars"
        return f"{name} needs a `threshold` ({unit})"
    scalar = isinstance(spec.value, str | int | float) and not isinstance(spec.value, bool)
    if spec.type in ("contains", "icontains") and not scalar:
        return f"{name}: value must be text or a number (contains-any/-all take a list)"
    text_only = ("starts-with", "regex", "levenshtein", "rouge-n")
    if spec.type in text_only and spec.value is not None and not isinstance(spec.value, str):
        return f"{name}: value must be text"
    if spec.type == "regex" and isinstance(spec.value, str) and not _is_template(spec.value):
        try:
            jscompat.js_regex(spec.value)
        except ValueError as exc:
            return f"{name}: invalid regular expression (JavaScript syntax, as promptfoo): {exc}"
    if spec.type == "max-tokens" and (
        isinstance(spec.value, bool) or not isinstance(spec.value, int) or spec.value < 1
    ):
        return f"{name}: value must be a positive whole number of tokens"
    if spec.type in ("is-json", "contains-json") and spec.value is not None:
        try:
            value = spec.value
            if isinstance(value, str) and value.startswith("file://"):
                value = _file_value(value, base_dir)
            schema = _schema(value, EvalContext(vars={}, base_dir=base_dir))
            jscompat.schema_validator(schema or {})
        except (OSError, ValueError) as exc:
            return f"{name}: cannot read the schema: {exc}"
        except Exception as exc:  # jsonschema.SchemaError and YAML errors
            message = getattr(exc, "message", None) or str(exc).splitlines()[0]
            return f"{name}: invalid JSON schema: {message}"
    if spec.type in ("python", "javascript"):
        code = str(spec.value)
        if code.startswith("file://"):
            path, _ = _file_path(code, base_dir)
            if not path.is_file():
                return f"{name}: {path}: no such file"
        elif spec.type == "python" and "\n" not in code.strip() and not _is_template(code):
            try:
                compile(code, "<python assertion>", "eval")
            except SyntaxError as exc:
                return f"{name}: invalid Python expression: {exc.msg}"
    if spec.type == "cites":
        items = spec.value if isinstance(spec.value, list) else [spec.value]
        for item in items:
            if isinstance(item, dict) and (set(item) != {"any"} or not item["any"]):
                return f"{name}: an item is an id (S3), a phrase, or {{any: [...]}}"
    if spec.transform is not None:
        problem = validate_transform(spec.transform, base_dir)
        if problem:
            return f"{name}: {problem}"
    return None


def validate_transform(code: str, base_dir: Path) -> str | None:
    if code.startswith("python:"):
        try:
            compile(code[len("python:") :].strip(), "<transform>", "eval")
        except SyntaxError as exc:
            return f"invalid Python transform expression: {exc.msg}"
        return None
    if code.startswith("file://"):
        path, _ = _file_path(code, base_dir)
        if not path.is_file():
            return f"transform {path}: no such file"
    return None


def apply_transform(code: str, output: Any, ctx: EvalContext, kind: str = "output") -> Any:
    """promptfoo's transform(): inline JavaScript (an expression, or a body when it has several
    lines), `file://x.js[:fn]`, `file://x.py[:fn]` (default get_transform), or newsdesk's
    `python: EXPRESSION`. Returns the transformed value (not necessarily text)."""
    context = ctx.transform_context()
    if code.startswith("python:"):
        expression = code[len("python:") :].strip()
        value = eval(
            expression,
            {"json": json, "re": re},
            {"output": output, "vars": ctx.vars, "context": {**ctx.as_dict(), **context}},
        )
    elif code.startswith("file://") and code[len("file://") :].split(":")[0].endswith(".py"):
        path, fn = _file_path(code, ctx.base_dir)
        value = run_python_file(
            path, fn or "get_transform", [_json_roundtrip(output), _json_roundtrip(context)]
        )
    else:
        from newsdesk.evals.node import worker

        if code.startswith("file://"):
            path, fn = _file_path(code, ctx.base_dir)
            value, undefined = worker().call(kind, output, context, file=str(path), fn=fn)
        else:
            value, undefined = worker().call(kind, output, context, code=code)
        if undefined:
            value = None
    if value is None:
        raise ValueError("Transform function did not return a value")
    return value


def output_string(value: Any) -> str:
    """promptfoo's coerceString: text as is, anything else as `JSON.stringify` writes it."""
    return value if isinstance(value, str) else jscompat.js_stringify(value)


def grade(output: Any, spec: AssertionSpec, ctx: EvalContext) -> Grade:
    """Run one assertion (transform, templated value, check with negation, weight 0). A crash in
    a check is a failed grade, as in promptfoo."""
    try:
        if spec.transform:
            output = apply_transform(spec.transform, output, ctx)
        ctx.raw_output = output
        value = render_value(spec.value, ctx.vars, ctx.base_dir)
        result = ASSERTIONS[spec.type](output_string(output), value, spec, ctx, spec.negate)
    except Exception as exc:  # a failing script, value or grader must not stop the run
        result = Grade(False, 0.0, f"{spec.label} raised {type(exc).__name__}: {_short(str(exc))}")
    if spec.weight == 0:
        result.passed = True  # promptfoo: a weight-0 assertion never fails its test
    return result
