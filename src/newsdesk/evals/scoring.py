"""promptfoo's assertScoringFunction: a test's own rule for its verdict and score, given the named
scores and the assertions' results (a `file://x.js[:fn]` run in the node worker, or
`file://x.py[:fn]`; the default function is `func`, as promptfoo's loadFunction)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from newsdesk.evals import node
from newsdesk.evals.assertions import Grade
from newsdesk.evals.assertions.scripts import json_roundtrip, run_python_file
from newsdesk.evals.assertions.values import file_ref_path


def component_results(grades: list[tuple[Any, Grade]]) -> list[dict[str, Any]]:
    """promptfoo's flattened componentResults: each result, an assert-set's children after it."""
    out: list[dict[str, Any]] = []
    for spec, g in grades:
        raw = {k: v for k, v in spec.raw.items() if not k.startswith("__")}
        out.append({"pass": g.passed, "score": g.score, "reason": g.reason, "assertion": raw})
        for child_spec, child in g.components:
            child_raw = {k: v for k, v in child_spec.raw.items() if not k.startswith("__")}
            out.append(
                {"pass": child.passed, "score": child.score, "reason": child.reason,
                 "assertion": child_raw}
            )  # fmt: skip
    return out


def apply_scoring(
    ref: str,
    base_dir: Path,
    named: dict[str, float],
    threshold: float | None,
    grades: list[tuple[Any, Grade]],
) -> tuple[bool, float, str]:
    """(pass, score, reason) from the scoring function; its error fails the test, as in
    promptfoo ("Scoring function error: ...")."""
    path, fn = file_ref_path(ref, base_dir)
    context = {"threshold": threshold, "componentResults": component_results(grades)}
    try:
        if path.suffix == ".py":
            result = run_python_file(path, fn or "func", [dict(named), json_roundtrip(context)])
        else:
            result, _ = node.worker().call("scoring", dict(named), context, file=str(path), fn=fn)
        if not (
            isinstance(result, dict)
            and isinstance(result.get("pass"), bool)
            and isinstance(result.get("score"), int | float)
        ):
            raise ValueError("assertion scoring function must return a GradingResult")
    except Exception as exc:  # the user's function failed: the test fails, the run goes on
        return False, 0.0, f"Scoring function error: {exc}"
    return result["pass"], float(result["score"]), str(result.get("reason", ""))
