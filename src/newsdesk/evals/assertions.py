"""Assertion types: promptfoo's semantics where they overlap, newsdesk's own for citations.

Every check returns a Grade (pass, score in [0, 1], reason). `not-TYPE` flips pass and turns the
score into 1 - score. A `transform` (a Python expression over `output` and `context`) runs on the
output first. Suites are code: `python` and `transform` evaluate what the suite says, like
promptfoo's javascript; run only suites you trust.
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

if TYPE_CHECKING:
    from newsdesk.evals.suite import AssertionSpec
    from newsdesk.evals.tasks import TaskOutput
    from newsdesk.llm.client import LLMClient

DEFAULT_SIMILAR = 0.75  # promptfoo's default threshold for `similar`
DEFAULT_ROUGE = 0.75  # and for `rouge-n`
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


@dataclass
class Grade:
    passed: bool
    score: float
    reason: str


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
    prompt: str = ""
    provider: str = ""
    base_dir: Path = field(default_factory=Path.cwd)
    # resolves a grader provider (an assertion's `provider`, the test's options.provider, or
    # None for the case's own provider) to (client, its embeddings model or None)
    grader: Callable[[Any], tuple[LLMClient, str | None]] | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """`context` as `python` assertions and transforms see it."""
        task = self.task
        return {
            "vars": self.vars,
            "prompt": self.prompt,
            "provider": self.provider,
            "result": task.result if task else {},
            "citations": [c.to_dict() for c in task.citations] if task else [],
            "dropped": list(task.dropped) if task else [],
            "invalid": list(task.invalid) if task else [],
            "article": task.article.text if task else "",
            "latency_ms": self.latency_ms,
            "cached": self.cached,
            "cost": self.cost,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
        }


Check = Callable[[str, "AssertionSpec", EvalContext], Grade]


def _ok(passed: bool, reason: str) -> Grade:
    return Grade(passed, 1.0 if passed else 0.0, reason)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False)


def _items(value: Any) -> list[str]:
    """A list of strings, or promptfoo's comma-separated string."""
    if isinstance(value, list):
        return [_text(v) for v in value]
    return [v.strip() for v in _text(value).split(",") if v.strip()]


def _short(text: str, n: int = 80) -> str:
    text = normalise_ws(text)
    return text if len(text) <= n else text[: n - 1] + "…"


# ---------------------------------------------------------------- text checks


def _equals(output: str, spec: AssertionSpec, ctx: EvalContext) -> Grade:
    if isinstance(spec.value, dict | list):
        try:
            same = json.loads(output) == spec.value
        except json.JSONDecodeError:
            return _ok(False, "output is not JSON, expected a JSON value")
        return _ok(same, "JSON equal" if same else "JSON differs from the expected value")
    expected = _text(spec.value)
    return _ok(
        output == expected,
        f"output {'equals' if output == expected else 'is not'} {_short(expected)!r}",
    )


def _contains(output: str, spec: AssertionSpec, ctx: EvalContext) -> Grade:
    needle = _text(spec.value)
    found = needle in output
    return _ok(found, f"{'found' if found else 'did not find'} {needle!r}")


def _icontains(output: str, spec: AssertionSpec, ctx: EvalContext) -> Grade:
    needle = _text(spec.value)
    found = needle.casefold() in output.casefold()
    return _ok(found, f"{'found' if found else 'did not find'} {needle!r} (any case)")


def _multi(fold: bool, need_all: bool) -> Check:
    def check(output: str, spec: AssertionSpec, ctx: EvalContext) -> Grade:
        items = _items(spec.value)
        hay = output.casefold() if fold else output
        hits = [i for i in items if (i.casefold() if fold else i) in hay]
        missing = [i for i in items if i not in hits]
        passed = not missing if need_all else bool(hits)
        score = len(hits) / len(items) if need_all else (1.0 if hits else 0.0)
        if need_all:
            reason = "found all" if passed else f"missing {missing}"
        else:
            reason = f"found {hits}" if passed else f"found none of {items}"
        return Grade(passed, score, reason)

    return check


def _starts_with(output: str, spec: AssertionSpec, ctx: EvalContext) -> Grade:
    prefix = _text(spec.value)
    ok = output.startswith(prefix)
    return _ok(ok, f"output {'starts' if ok else 'does not start'} with {prefix!r}")


def _regex(output: str, spec: AssertionSpec, ctx: EvalContext) -> Grade:
    pattern = _text(spec.value)
    ok = re.search(pattern, output) is not None
    return _ok(ok, f"/{pattern}/ {'matches' if ok else 'does not match'}")


def _load_schema(value: Any, base_dir: Path) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, dict):
        return value
    path = Path(str(value).removeprefix("file://"))
    path = path if path.is_absolute() else base_dir / path
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        import yaml

        data = yaml.safe_load(text)
    else:
        data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a JSON schema must be an object")
    return data


def _is_json(output: str, spec: AssertionSpec, ctx: EvalContext) -> Grade:
    try:
        data = json.loads(output)
    except json.JSONDecodeError as exc:
        return _ok(False, f"not JSON: {exc.msg} at char {exc.pos}")
    schema = _load_schema(spec.value, ctx.base_dir)
    if schema is None:
        return _ok(True, "valid JSON")
    import jsonschema

    errors = sorted(
        jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path)
    )
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.path) or "top level"
        return _ok(False, f"JSON does not match the schema at {where}: {first.message}")
    return _ok(True, "valid JSON matching the schema")


def _python(output: str, spec: AssertionSpec, ctx: EvalContext) -> Grade:
    context = ctx.as_dict()
    code = str(spec.value)
    if code.startswith("file://"):
        path = Path(code[len("file://") :])
        path = path if path.is_absolute() else ctx.base_dir / path
        namespace: dict[str, Any] = {"__file__": str(path)}
        exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
        fn = namespace.get("get_assert")
        if not callable(fn):
            return _ok(False, f"{path} defines no get_assert(output, context)")
        value = fn(output, context)
    elif "\n" in code.strip():
        body = "\n".join("    " + line for line in code.strip().splitlines())
        namespace = {"json": json, "re": re}
        exec(f"def _check(output, context):\n{body}\n", namespace)
        value = namespace["_check"](output, context)
    else:
        value = eval(code, {"json": json, "re": re}, {"output": output, "context": context})
    return _python_grade(value, spec)


def _python_grade(value: Any, spec: AssertionSpec) -> Grade:
    if isinstance(value, dict):
        passed = bool(value.get("pass", value.get("passed", False)))
        score = float(value.get("score", 1.0 if passed else 0.0))
        return Grade(passed, score, str(value.get("reason", "")) or f"returned {value!r}")
    if isinstance(value, bool):
        return _ok(value, f"returned {value}")
    if isinstance(value, int | float):
        score = float(value)
        passed = score >= spec.threshold if spec.threshold is not None else score > 0
        return Grade(passed, max(0.0, min(1.0, score)), f"returned {score:g}")
    return _ok(bool(value), f"returned {_short(repr(value))}")


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
    resp = llm._openai().embeddings.create(model=model, input=[a, b])
    x, y = resp.data[0].embedding, resp.data[1].embedding
    dot = sum(p * q for p, q in zip(x, y, strict=True))
    norm = math.sqrt(sum(p * p for p in x)) * math.sqrt(sum(q * q for q in y))
    return dot / norm if norm else 0.0


def _similar(output: str, spec: AssertionSpec, ctx: EvalContext) -> Grade:
    threshold = spec.threshold if spec.threshold is not None else DEFAULT_SIMILAR
    references = spec.value if isinstance(spec.value, list) else [spec.value]
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
                "(set config.embeddings); used lexical cosine over words"
            )
            if note not in ctx.notes:
                ctx.notes.append(note)
    best = max(scorer(output, _text(r)) for r in references)
    return Grade(best >= threshold, best, f"{measure} {best:.2f} vs threshold {threshold:.2f}")


def rouge_n(candidate: str, reference: str, n: int = 1) -> float:
    """ROUGE-N F1: overlap of word n-grams (case-folded) between candidate and reference."""

    def grams(text: str) -> Counter[tuple[str, ...]]:
        words = _WORD.findall(text.casefold())
        return Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))

    c, r = grams(candidate), grams(reference)
    overlap = sum((c & r).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(c.values()), overlap / sum(r.values())
    return 2 * precision * recall / (precision + recall)


def _rouge(output: str, spec: AssertionSpec, ctx: EvalContext) -> Grade:
    threshold = spec.threshold if spec.threshold is not None else DEFAULT_ROUGE
    score = rouge_n(output, _text(spec.value))
    return Grade(score >= threshold, score, f"ROUGE-1 F1 {score:.2f} vs threshold {threshold:.2f}")


# ---------------------------------------------------------------- model-graded


def _rubric(output: str, spec: AssertionSpec, ctx: EvalContext) -> Grade:
    from pydantic import BaseModel

    from newsdesk.prompts import render

    class RubricGrade(BaseModel):
        reason: str
        passed: bool
        score: float

    if ctx.grader is None:
        return _ok(False, "llm-rubric needs a grading provider")
    llm, _ = ctx.grader(spec.provider)
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
    text = render("eval-rubric.j2", output=output, rubric=_text(spec.value))
    grade = llm.structured(
        [{"role": "user", "content": text}],
        RubricGrade,
        schema,
        max_tokens=160,
        schema_name="grade",
    )
    return interpret_rubric(grade.passed, grade.score, grade.reason, spec.threshold, llm.model)


def interpret_rubric(
    passed: bool, score: float, reason: str, threshold: float | None, grader: str
) -> Grade:
    """The grader's verdict; with a threshold, the score must also reach it (pure)."""
    score = max(0.0, min(1.0, float(score)))
    ok = passed and (threshold is None or score >= threshold)
    return Grade(ok, score, f"graded by {grader}: {_short(reason, 160)}")


# ---------------------------------------------------------------- cost and speed


def _latency(output: str, spec: AssertionSpec, ctx: EvalContext) -> Grade:
    limit = float(spec.threshold or 0)
    if ctx.cached:
        return _ok(False, "latency is unknown for a cached response; run with --no-cache")
    ms = ctx.latency_ms or 0.0
    return _ok(ms <= limit, f"{ms:.0f} ms vs limit {limit:.0f} ms")


def _cost(output: str, spec: AssertionSpec, ctx: EvalContext) -> Grade:
    limit = float(spec.threshold or 0)
    if ctx.cost is None:
        return _ok(False, f"no price known for provider {ctx.provider}: cost unknown")
    return _ok(ctx.cost <= limit, f"${ctx.cost:.6f} vs limit ${limit:.6f}")


def _max_tokens(output: str, spec: AssertionSpec, ctx: EvalContext) -> Grade:
    from newsdesk.tokens import count_tokens

    limit = int(spec.value)
    n = count_tokens(output)
    return _ok(n <= limit, f"output is {n} tokens vs limit {limit}")


# ---------------------------------------------------------------- newsdesk's own


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


def _cites(output: str, spec: AssertionSpec, ctx: EvalContext) -> Grade:
    ids, texts = _cited(ctx)
    items = spec.value if isinstance(spec.value, list) else [spec.value]
    ok = [i for i in items if _cite_item(i, ids, texts)]
    missing = [i for i in items if i not in ok]
    cited = ", ".join(ids) or "nothing"
    if missing:
        return Grade(False, len(ok) / len(items), f"cited {cited}; not satisfied: {missing}")
    return Grade(True, 1.0, f"cited {cited}")


def _cites_valid(output: str, spec: AssertionSpec, ctx: EvalContext) -> Grade:
    task = ctx.task
    if task is None:
        return _ok(False, "this task produced no citations to check")
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
        return _ok(False, "; ".join(problems))
    n = len(task.citations)
    return _ok(True, f"{n} citation(s), all verbatim" if n else "no citations (none invalid)")


def _abstains(output: str, spec: AssertionSpec, ctx: EvalContext) -> Grade:
    if ctx.task is not None and ctx.task.abstained is not None:
        said = ctx.task.abstained
        return _ok(said, "answered that the article does not say" if said else "gave an answer")
    said = _ABSTAIN.search(output) is not None
    return _ok(said, "says the article does not say" if said else "does not abstain")


def _party_names(party: Any) -> list[str]:
    if isinstance(party, str):
        return [party]
    if isinstance(party, dict):
        names = [party.get("name", "")]
        aliases = party.get("aliases") or []
        names += [a for a in aliases if isinstance(a, str)]
        return [n for n in names if isinstance(n, str) and n]
    return []


def _parties_include(output: str, spec: AssertionSpec, ctx: EvalContext) -> Grade:
    parties = ctx.task.parties if ctx.task is not None else None
    if parties is None:
        try:
            data = json.loads(output)
            parties = data.get("parties") if isinstance(data, dict) else None
        except json.JSONDecodeError:
            parties = None
    if not isinstance(parties, list):
        return _ok(False, "the output lists no parties")
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

    expected = _items(spec.value)
    missing = [e for e in expected if not match(e)]
    names = ", ".join(n[0] for n in found if n) or "none"
    if missing:
        return Grade(False, 1 - len(missing) / len(expected), f"missing {missing}; found {names}")
    return Grade(True, 1.0, f"found {names}")


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
    "is-json": _is_json,
    "python": _python,
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

_NEEDS_VALUE = {
    "equals", "contains", "icontains", "contains-any", "contains-all", "icontains-any",
    "icontains-all", "starts-with", "regex", "python", "similar", "rouge-n", "llm-rubric",
    "cites", "parties-include", "max-tokens",
}  # fmt: skip
_NEEDS_THRESHOLD = {"latency", "cost"}
_NO_VALUE = {"cites-valid", "abstains", "latency", "cost"}


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
    if spec.type == "regex":
        try:
            re.compile(_text(spec.value))
        except re.error as exc:
            return f"{name}: invalid regular expression: {exc}"
    if spec.type == "max-tokens" and (
        isinstance(spec.value, bool) or not isinstance(spec.value, int) or spec.value < 1
    ):
        return f"{name}: value must be a positive whole number of tokens"
    if spec.type == "is-json" and spec.value is not None:
        try:
            schema = _load_schema(spec.value, base_dir)
        except (OSError, ValueError) as exc:
            return f"{name}: cannot read the schema: {exc}"
        import jsonschema

        try:
            jsonschema.Draft202012Validator.check_schema(schema or {})
        except jsonschema.SchemaError as exc:
            return f"{name}: invalid JSON schema: {exc.message}"
    if spec.type == "python":
        code = str(spec.value)
        if code.startswith("file://"):
            path = Path(code[len("file://") :])
            if not (path if path.is_absolute() else base_dir / path).is_file():
                return f"{name}: {path}: no such file"
        elif "\n" not in code.strip():
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
        try:
            compile(spec.transform, "<transform>", "eval")
        except SyntaxError as exc:
            return f"{name}: invalid transform expression: {exc.msg}"
    return None


def apply_transform(expression: str, output: str, ctx: EvalContext) -> str:
    value = eval(expression, {"json": json, "re": re}, {"output": output, "context": ctx.as_dict()})
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def grade(output: str, spec: AssertionSpec, ctx: EvalContext) -> Grade:
    """Run one assertion (transform, check, negation). A crash in a check is a failed grade."""
    try:
        if spec.transform:
            output = apply_transform(spec.transform, output, ctx)
        result = ASSERTIONS[spec.type](output, spec, ctx)
    except Exception as exc:  # a failing python assertion or grader must not stop the run
        return Grade(False, 0.0, f"{spec.label} raised {type(exc).__name__}: {_short(str(exc))}")
    if spec.negate:
        return Grade(not result.passed, 1.0 - result.score, f"not: {result.reason}")
    return result
