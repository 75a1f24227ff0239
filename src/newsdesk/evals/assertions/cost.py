"""Cost and speed checks: `latency`, `cost` and `max-tokens`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newsdesk.evals.assertions.core import CaseError, EvalContext, Grade, binary_grade
from newsdesk.tokens import count_tokens

if TYPE_CHECKING:
    from newsdesk.evals.spec import AssertionSpec


def check_latency(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    limit = float(spec.threshold or 0)
    if ctx.cached or ctx.latency_ms is None:
        # promptfoo throws here, uncaught: the case errors
        raise CaseError(
            "Error: Latency assertion does not support cached results. Rerun the eval with "
            "--no-cache"
        )
    ms = ctx.latency_ms
    rel = "less than or equal to" if inv else "greater than"
    return binary_grade(ms <= limit, inv, f"Latency {ms:.0f}ms is {rel} threshold {limit:g}ms")


def check_cost(output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool) -> Grade:
    limit = float(spec.threshold or 0)
    if ctx.cost is None:
        return Grade(False, 0.0, f"no price known for provider {ctx.provider}: cost unknown")
    rel = "less than or equal to" if inv else "greater than"
    return binary_grade(ctx.cost <= limit, inv, f"Cost {ctx.cost:.2g} is {rel} threshold {limit:g}")


def check_max_tokens(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    limit = int(value)
    n = count_tokens(output)
    return binary_grade(n <= limit, inv, f"output is {n} tokens vs limit {limit}")
