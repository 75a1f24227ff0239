"""promptfoo's own deterministic checks whose semantics are JavaScript's (`word-count`, `bleu`,
`gleu`, `is-refusal`, `finish-reason`, `regex`): its code, copied verbatim into js_checks.mjs, run
in the eval's node worker, so they grade exactly as promptfoo grades. Without node, a suite using
one is refused at load (registry.needs_node), except `regex`, which then falls back to the
translation of JavaScript patterns into Python's (jscompat.js_regex: refusing at load what it
cannot translate)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newsdesk.evals import node
from newsdesk.evals.assertions.core import CaseError, EvalContext, Grade
from newsdesk.evals.assertions.text import check_regex_translated

if TYPE_CHECKING:
    from newsdesk.evals.spec import AssertionSpec

PORTED_TYPES = (
    "word-count",
    "bleu",
    "gleu",
    "is-refusal",
    "finish-reason",
)  # and regex  # regex: below


def check_ported(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    request = {
        "type": spec.type,
        "assertion": {k: v for k, v in spec.raw.items() if not k.startswith("__")},
        "inverse": inv,
        "output": ctx.raw(output),
        "outputString": output,
        "renderedValue": value,
        "providerResponse": {"finishReason": ctx.finish_reason} if ctx.finish_reason else {},
    }
    try:
        result, _ = node.worker().call("check", request, {})
    except node.JSError as exc:  # a handler threw (an invariant on a bad value): in promptfoo,
        # its evaluator errors the whole case with String(err), ungraded
        raise CaseError(str(exc)) from None
    return Grade(bool(result["pass"]), float(result["score"]), str(result["reason"]))


def check_regex(output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool) -> Grade:
    """`regex`: JavaScript's RegExp itself where there is node, else the translation."""
    if node.node_version() is None:
        return check_regex_translated(output, value, spec, ctx, inv)
    return check_ported(output, value, spec, ctx, inv)
