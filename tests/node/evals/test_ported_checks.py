"""promptfoo's own deterministic checks, copied into js_checks.mjs: what their handlers throw
errors the case with promptfoo's String(err), as promptfoo's evaluator does (side by side:
tests/node/evals/test_eval_promptfoo_docs.py, folder invariants)."""

from __future__ import annotations

from typing import Any

import pytest

from newsdesk.evals.assertions.core import CaseError, EvalContext
from newsdesk.evals.assertions.registry import grade
from newsdesk.evals.spec import AssertionSpec
from tests.helpers.node import require_node


def run(kind: str, value: Any, output: str = "three little words") -> Any:
    require_node()
    spec = AssertionSpec(type=kind, value=value, raw={"type": kind, "value": value})
    return grade(output, spec, EvalContext(vars={}))


def test_a_value_the_handler_accepts_grades() -> None:
    g = run("word-count", 3)
    assert (g.passed, g.reason) == (True, "Assertion passed")


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("word-count", {"min": 5, "max": 2}, '"word-count" assertion: min (5) must be less than or '
         "equal to max (2)"),
        ("bleu", 5, '"bleu" assertion type must have a string or array of strings value'),
        ("finish-reason", 5, '"finish-reason" assertion type must have a string value'),
    ],
)  # fmt: skip
def test_an_invariant_errors_the_case_in_promptfoos_words(
    kind: str, value: Any, message: str
) -> None:
    with pytest.raises(CaseError) as err:
        run(kind, value)
    assert str(err.value) == f"Error: Invariant failed: {message}"
