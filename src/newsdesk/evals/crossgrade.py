"""select-best and max-score: promptfoo 0.123.1's comparison assertions, which grade the outputs
of every prompt and provider of one test against each other once all of its cases ran (its
evaluator's comparison pass: selectMaxScore, matchesSelectBest, and the merges that fold the
comparison into each case). Pure: the runner gathers the cases and asks the grader; this module
says what their answers come to."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from newsdesk.evals import jscompat
from newsdesk.evals.spec import AssertionSpec

SELECT_BEST = "select-best"
MAX_SCORE = "max-score"
COMPARISON_TYPES = (SELECT_BEST, MAX_SCORE)
_FEW_OUTPUTS = "%s assertion must have at least two outputs to compare between"
NO_OTHER_ASSERTION = (
    "max-score requires at least one other assertion (besides max-score or select-best) to "
    "aggregate scores from"
)


@dataclass
class Comparison:
    """One case's comparison grade, as promptfoo appends it to the case's componentResults."""

    passed: bool
    score: float
    reason: str
    named_scores: dict[str, float] = field(default_factory=dict)


@dataclass
class Verdict:
    """A case's own verdict, before and after a comparison is merged into it."""

    passed: bool
    score: float
    reason: str


def is_comparison(spec: AssertionSpec) -> bool:
    return spec.type in COMPARISON_TYPES


def comparisons(asserts: Sequence[AssertionSpec]) -> list[AssertionSpec]:
    """The comparisons promptfoo runs for a test, in its order: select-best, then max-score."""
    return [a for kind in COMPARISON_TYPES for a in asserts if a.type == kind]


def load_problem(spec: AssertionSpec, asserts: Sequence[AssertionSpec], outputs: int) -> str | None:
    """Why a test's comparison cannot run (None: it can). promptfoo stops the whole eval on the
    first two (its invariants throw after every case ran); the others it would skip silently,
    which newsdesk refuses instead of pretending to grade."""
    name = spec.label
    if spec.negate:
        return f"{name}: promptfoo never runs a negated {spec.type}"
    if sum(a.type == spec.type for a in asserts) > 1:
        return f"{name}: promptfoo runs only a test's first {spec.type}; keep one"
    if outputs < 2:
        return _FEW_OUTPUTS % spec.type + " (this test runs one prompt on one provider)"
    if spec.type == MAX_SCORE and all(is_comparison(a) for a in asserts):
        return NO_OTHER_ASSERTION
    return None


def value_problem(spec: AssertionSpec) -> str | None:
    """What is wrong with a comparison's `value` (None: nothing)."""
    if spec.type == SELECT_BEST:
        if not isinstance(spec.value, str) or not spec.value:
            return "select-best needs a `value`: the criteria the grader picks the best output by"
        return None
    value = spec.value
    if value is None or not isinstance(value, dict):
        return None  # promptfoo reads only an object's keys; anything else is its defaults
    weights = value.get("weights", {})
    if not isinstance(weights, dict) or not all(_number(w) for w in weights.values()):
        return "max-score: `weights` maps assertion types to numbers"
    if "threshold" in value and value["threshold"] is not None and not _number(value["threshold"]):
        return "max-score: `threshold` must be a number"
    return None


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def shown_output(output: Any) -> Any:
    """What select-best's grader is shown for a case: its output, JSON text parsed (promptfoo's
    tryParse), and "" for an output JavaScript reads as false (`output || ""`)."""
    if output is None or output is False or output == "":
        return ""
    if isinstance(output, int | float) and (output == 0 or math.isnan(output)):
        return ""
    if isinstance(output, str):
        try:
            return jscompat.js_json_parse(output)
        except ValueError:
            return output
    return output


def flat_scores(components: Sequence[Any]) -> list[tuple[str, float]]:
    """A case's (assertion type, score) as promptfoo flattens its componentResults (an
    assert-set, then its children), comparisons left out: what max-score aggregates."""
    out: list[tuple[str, float]] = []
    for c in components:
        if c.type not in COMPARISON_TYPES:
            out.append((c.type, c.score))
        out += flat_scores(c.children)
    return out


def select_best(answer: str | None, outputs: int, criteria: str) -> list[Comparison]:
    """matchesSelectBest: the first whole number in the grader's answer is the chosen output's
    index; no answer, no number or one out of range fails every output."""
    if not answer:
        return [Comparison(False, 0.0, "No output") for _ in range(outputs)]
    found = re.search(r"\d+", answer.strip(), re.ASCII)
    verdict = float(found.group()) if found else math.nan
    if math.isnan(verdict) or verdict >= outputs:
        reason = f"Invalid select-best verdict: {jscompat.js_str(verdict)}"
        return [Comparison(False, 0.0, reason) for _ in range(outputs)]
    return [
        Comparison(True, 1.0, f"Output selected as the best: {criteria}")
        if i == verdict
        else Comparison(False, 0.0, f"Output not selected: {criteria}")
        for i in range(outputs)
    ]


def max_score(components: Sequence[Sequence[tuple[str, float]]], value: Any) -> list[Comparison]:
    """selectMaxScore: each case's (type, score) components, other than comparisons, aggregate
    to one score (a weighted mean, or with `method: sum` a weighted sum; `weights` by assertion
    type, 1 otherwise); the first case with the highest wins, if it reaches `threshold`."""
    options = value if isinstance(value, dict) else {}
    method = options.get("method", "average")
    weights: dict[str, float] = options.get("weights") or {}
    has_threshold = "threshold" in options
    # JavaScript's `score >= null` reads null as 0
    threshold = float(options["threshold"] or 0) if has_threshold else None
    scored: list[tuple[float, int, float]] = []
    for case in components:
        if not case:
            raise ValueError(NO_OTHER_ASSERTION)
        total = total_weight = 0.0
        for kind, score in case:
            weight = float(weights.get(kind, 1))
            total += (0.0 if math.isnan(score) else score) * weight  # `score || 0`
            total_weight += weight
        aggregate = total if method == "sum" else (total / total_weight if total_weight else 0.0)
        scored.append((aggregate, len(case), total_weight))
    best = -math.inf
    winner = 0
    for i, (aggregate, _, _) in enumerate(scored):
        if aggregate > best:  # strictly: a tie goes to the first case
            best, winner = aggregate, i
    meets = threshold is None or best >= threshold
    out = []
    for i, (aggregate, count, total_weight) in enumerate(scored):
        won = i == winner and meets
        shown = jscompat.js_to_fixed(aggregate, 3)
        if won:
            reason = f"Selected as highest scoring output (score: {shown})"
        elif aggregate == best and not meets:
            limit = jscompat.js_str(options["threshold"])
            reason = f"Not selected - score {shown} below threshold {limit}"
        else:
            reason = f"Not selected (score: {shown}, max: {jscompat.js_to_fixed(best, 3)})"
        named = {"maxScore": aggregate, "assertionCount": count, "totalWeight": total_weight}
        out.append(Comparison(won, 1.0 if won else 0.0, reason, named))
    return out


def merge_select_best(case: Verdict, grade: Comparison) -> Verdict:
    """mergeSelectBestGradingResult: a case not selected fails with the comparison's reason and
    score; a selected one keeps its own verdict."""
    if grade.passed:
        return case
    return Verdict(False, grade.score, grade.reason)


def merge_max_score(case: Verdict, grade: Comparison) -> Verdict:
    """mergeMaxScoreGradingResult: as select-best's, except that a case that had already failed
    keeps its own reason."""
    if grade.passed:
        return case
    return Verdict(False, grade.score, grade.reason if case.passed else case.reason)
