"""The registry and dispatch: every assertion type by name, what each needs checked when a suite
loads (validate), transforms, and grade(), which runs one assertion."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsdesk.evals import crossgrade, jscompat, node
from newsdesk.evals.assertions.core import CaseError, Check, EvalContext, Grade, shorten
from newsdesk.evals.assertions.cost import check_cost, check_latency, check_max_tokens
from newsdesk.evals.assertions.graded import check_rubric
from newsdesk.evals.assertions.in_promptfoo import (
    PROMPTFOO_TYPES,
    check_in_promptfoo,
    validate_value,
)
from newsdesk.evals.assertions.model_graded import (
    check_closedqa,
    check_context_faithfulness,
    check_context_recall,
    check_context_relevance,
    check_factuality,
    check_geval,
)
from newsdesk.evals.assertions.moderation import check_moderation
from newsdesk.evals.assertions.own import (
    check_abstains,
    check_cites,
    check_cites_valid,
    check_parties_include,
)
from newsdesk.evals.assertions.ported import PORTED_TYPES, check_ported, check_regex
from newsdesk.evals.assertions.relevance import check_answer_relevance
from newsdesk.evals.assertions.scripts import (
    check_javascript,
    check_python,
)
from newsdesk.evals.assertions.similarity import check_rouge, check_similar
from newsdesk.evals.assertions.text import (
    check_contains,
    check_contains_json,
    check_equals,
    check_icontains,
    check_is_json,
    check_levenshtein,
    check_starts_with,
    contains_many,
    schema_from_value,
    unicode_pattern_test,
)
from newsdesk.evals.assertions.transforms import (
    apply_transform,
    is_js_transform,
    validate_transform,
)
from newsdesk.evals.assertions.values import file_ref_path, file_ref_value, render_value
from newsdesk.evals.assertions.webhook import check_webhook

if TYPE_CHECKING:
    from newsdesk.evals.spec import AssertionSpec

ASSERTIONS: dict[str, Check] = {
    "equals": check_equals,
    "contains": check_contains,
    "icontains": check_icontains,
    "contains-any": contains_many(fold=False, need_all=False),
    "contains-all": contains_many(fold=False, need_all=True),
    "icontains-any": contains_many(fold=True, need_all=False),
    "icontains-all": contains_many(fold=True, need_all=True),
    "starts-with": check_starts_with,
    "regex": check_regex,
    "levenshtein": check_levenshtein,
    "is-json": check_is_json,
    "contains-json": check_contains_json,
    "python": check_python,
    "javascript": check_javascript,
    "similar": check_similar,
    "rouge-n": check_rouge,
    "llm-rubric": check_rubric,
    "model-graded-closedqa": check_closedqa,
    "factuality": check_factuality,
    "g-eval": check_geval,
    "context-recall": check_context_recall,
    "context-relevance": check_context_relevance,
    "context-faithfulness": check_context_faithfulness,
    "latency": check_latency,
    "cost": check_cost,
    "cites": check_cites,
    "cites-valid": check_cites_valid,
    "abstains": check_abstains,
    "parties-include": check_parties_include,
    "max-tokens": check_max_tokens,
    "webhook": check_webhook,
    "answer-relevance": check_answer_relevance,
    "moderation": check_moderation,
    **dict.fromkeys(PORTED_TYPES, check_ported),
    **dict.fromkeys(PROMPTFOO_TYPES, check_in_promptfoo),
}
# assert-set is a group (suite.py/runner.py), not a check
GROUP_TYPES = ("assert-set",)
TASK_ONLY = {"cites", "cites-valid", "parties-include"}  # need a built-in task's citations

_NEEDS_VALUE = {
    "equals", "contains", "icontains", "contains-any", "contains-all", "icontains-any",
    "icontains-all", "starts-with", "regex", "python", "javascript", "similar", "rouge-n",
    "llm-rubric", "cites", "parties-include", "max-tokens", "levenshtein",
    "model-graded-closedqa", "factuality", "context-recall", "webhook",
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
    if spec.context_transform is not None and is_js_transform(spec.context_transform):
        return f"a contextTransform (on {spec.label}, itself promptfoo's code run in node)"
    if spec.type in (*PORTED_TYPES, "context-recall", "context-relevance", "context-faithfulness"):
        return f"a {spec.type} assertion (promptfoo's own code)"
    if spec.type in PROMPTFOO_TYPES:
        return f"a {spec.type} assertion (run by promptfoo itself)"
    if spec.type == crossgrade.SELECT_BEST:
        return "the Nunjucks template of select-best's grading prompt (a loop over the outputs)"
    return None


def validate(spec: AssertionSpec, base_dir: Path) -> str | None:
    """What is wrong with an assertion's value (None: nothing), checked when the suite loads."""
    name = spec.label
    if crossgrade.is_comparison(spec):
        return crossgrade.value_problem(spec)
    # promptfoo grades `equals: ""` and `levenshtein: ""` (empty text is a value there)
    text_ok = spec.type in ("equals", "levenshtein")
    empty: tuple[Any, ...] = (None, []) if text_ok else (None, "", [])
    if spec.type in _NEEDS_VALUE and spec.value in empty:
        return f"{name} needs a `value`"
    if spec.type in _NO_VALUE and spec.value is not None:
        hint = " (use `threshold`)" if spec.type in _NEEDS_THRESHOLD else ""
        return f"{name} takes no `value`{hint}"
    if spec.type in _NEEDS_THRESHOLD and spec.threshold is None:
        unit = "milliseconds" if spec.type == "latency" else "US dollars"
        return f"{name} needs a `threshold` ({unit})"
    scalar = isinstance(spec.value, str | int | float) and not isinstance(spec.value, bool)
    # promptfoo's isContainsValue: NaN is no value (it throws at every case)
    nan = isinstance(spec.value, float) and math.isnan(spec.value)
    if spec.type in ("contains", "icontains") and (not scalar or nan):
        return f"{name}: value must be text or a number (contains-any/-all take a list)"
    text_only = ("starts-with", "regex", "levenshtein", "rouge-n", "webhook")
    if spec.type in text_only and spec.value is not None and not isinstance(spec.value, str):
        return f"{name}: value must be text"
    if spec.type == "regex" and isinstance(spec.value, str) and not _is_template(spec.value):
        if node.node_version() is not None:  # RegExp itself reads it (and runs it, as in promptfoo)
            error, _ = node.worker().call("regex_syntax", None, {}, code=spec.value)
            if error:
                return f"{name}: invalid regular expression (JavaScript syntax): {error}"
        else:
            try:
                jscompat.js_regex(spec.value)
            except ValueError as exc:
                return (
                    f"{name}: invalid regular expression (JavaScript syntax, as promptfoo), or "
                    f"one only node runs (install node): {exc}"
                )
    if spec.type in PROMPTFOO_TYPES and (problem := validate_value(spec)):
        return problem
    if spec.type == "max-tokens" and (
        isinstance(spec.value, bool) or not isinstance(spec.value, int) or spec.value < 1
    ):
        return f"{name}: value must be a positive whole number of tokens"
    if spec.type in ("is-json", "contains-json") and spec.value is not None:
        try:
            value = spec.value
            if isinstance(value, str) and value.startswith("file://"):
                value = file_ref_value(value, base_dir)
            schema = schema_from_value(value, EvalContext(vars={}, base_dir=base_dir))
            jscompat.schema_validator(schema or {}, unicode_pattern_test)
        except (OSError, ValueError) as exc:
            return f"{name}: cannot read the schema: {exc}"
        except Exception as exc:  # jsonschema.SchemaError and YAML errors
            message = getattr(exc, "message", None) or str(exc).splitlines()[0]
            return f"{name}: invalid JSON schema: {message}"
    if spec.type in ("python", "javascript"):
        code = str(spec.value)
        if code.startswith("file://"):
            path, _ = file_ref_path(code, base_dir)
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
    for transform in (spec.transform, spec.context_transform):
        found = validate_transform(transform, base_dir) if transform is not None else None
        if found:
            return f"{name}: {found}"
    return None


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
        value = render_value(spec.value, ctx.vars, ctx.base_dir, ctx.env)
        result = ASSERTIONS[spec.type](output_string(output), value, spec, ctx, spec.negate)
    except CaseError:
        raise
    except Exception as exc:  # a failing script, value or grader must not stop the run
        result = Grade(False, 0.0, f"{spec.label} raised {type(exc).__name__}: {shorten(str(exc))}")
    if spec.weight == 0:
        result.passed = True  # promptfoo: a weight-0 assertion never fails its test
    return result
