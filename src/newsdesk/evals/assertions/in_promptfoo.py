"""The assertion types promptfoo runs itself: `is-xml`, `contains-xml`, `is-html`,
`contains-html`, `is-sql`, `contains-sql` (built on parsers promptfoo bundles: saxes and
fast-xml-parser, parse5, node-sql-parser), and `perplexity` and `perplexity-score` (from the
completion's token log-probabilities, which the endpoint returns when asked: `passthrough:
{logprobs: true}`, as in promptfoo), and `is-valid-openai-tools-call` and
`is-valid-openai-function-call` (the provider's `tools`/`functions` against its output of the
calls). newsdesk neither copies nor translates them: the node worker
imports the installed promptfoo 0.123.1 and calls its public `assertions.runAssertion`, so they
grade as promptfoo grades by construction. Without node or that promptfoo, a suite using one is
refused at load (suite.py). `is-json` and `contains-json` with a schema come here too where
promptfoo is found (text.py: its Ajv, strict mode and wording), else stay in Python."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsdesk.evals import node
from newsdesk.evals.assertions.core import CaseError, EvalContext, Grade

if TYPE_CHECKING:
    from newsdesk.evals.spec import AssertionSpec

PROMPTFOO_TYPES = (
    "is-xml",
    "contains-xml",
    "is-html",
    "contains-html",
    "is-sql",
    "contains-sql",
    "perplexity",
    "perplexity-score",
    # read the provider's config (its tools, functions) and its output of the calls
    "is-valid-openai-tools-call",
    "is-valid-openai-function-call",
)


def _absolute(value: Any, base_dir: Path) -> Any:
    """A `file://` reference made absolute from the suite's folder (promptfoo resolves it from its
    config's folder, which the worker does not know; like promptfoo, the path ends at the first
    colon); anything else unchanged."""
    if isinstance(value, str) and value.startswith("file://"):
        path, colon, fn = value[len("file://") :].partition(":")
        return f"file://{(base_dir / path).resolve()}{colon}{fn}"
    if isinstance(value, list):
        return [_absolute(v, base_dir) for v in value]
    return value


def check_in_promptfoo(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    """promptfoo's runAssertion on the (transformed) output. It gets the value as written, not
    newsdesk's rendering of it: promptfoo renders it over the vars itself, as in its own runs."""
    del value  # rendered by promptfoo itself, below
    entry, why = node.promptfoo_entry()
    if entry is None:  # checked at load; a change of install mid-run lands here
        return Grade(False, 0.0, f"{spec.label} needs promptfoo: {why}")
    assertion: dict[str, Any] = {"type": spec.label}
    if spec.value is not None:
        assertion["value"] = _absolute(spec.value, ctx.base_dir)
    if spec.threshold is not None:
        assertion["threshold"] = spec.threshold
    response: dict[str, Any] = {"output": ctx.raw(output)}
    if ctx.logprobs is not None:
        response["logProbs"] = ctx.logprobs
    request = {
        "assertion": assertion,
        "test": {"vars": ctx.vars},
        "vars": ctx.vars,
        "providerResponse": response,
        # the worker makes promptfoo's own provider of it (its validateFunctionToolCall)
        "providerSpec": {"id": ctx.provider_id, "config": ctx.provider_config},
    }
    try:
        result, _ = node.worker().call("promptfoo_assert", request, {}, file=str(entry))
    except node.JSError as exc:  # promptfoo's runAssertion threw: its evaluator errors the case
        raise CaseError(str(exc).splitlines()[0] if str(exc) else "promptfoo threw") from None
    return Grade(bool(result["pass"]), float(result["score"]), str(result["reason"]))


def _truthy_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and bool(value)


def validate_value(spec: AssertionSpec) -> str | None:
    """What promptfoo would throw on at every case (None: nothing), so refused at load. A
    templated string is left to promptfoo: it may render to something valid."""
    value, name = spec.value, spec.label
    if isinstance(value, str) and ("{{" in value or "{%" in value):
        return None
    if spec.type in ("is-sql", "contains-sql") and _truthy_scalar(value):
        return (
            f"{name}: value must be a mapping (databaseType, allowedTables, allowedColumns), "
            "as promptfoo requires"
        )
    if (
        spec.type in ("is-xml", "contains-xml")
        and isinstance(value, dict)
        and value
        and not isinstance(value.get("requiredElements"), list)
    ):
        return (
            f"{name}: value must be element names (text or a list) or "
            "{requiredElements: [...]}, as promptfoo requires"
        )
    return None
