"""select-best and max-score's own logic (newsdesk.evals.crossgrade), with the values promptfoo
0.123.1's selectMaxScore / matchesSelectBest give (side by side with promptfoo itself:
tests/node/evals/test_eval_promptfoo_docs.py, folder comparison), and their wiring in a run."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.errors import NewsdeskError
from newsdesk.evals import crossgrade, jscompat, node
from newsdesk.evals.crossgrade import Comparison, Verdict
from newsdesk.evals.runner import run_suites
from newsdesk.evals.spec import AssertionSpec
from newsdesk.evals.suite import SuiteError, load_suite

THREE = [
    [("contains", 1.0), ("contains", 0.0), ("not-contains", 1.0)],
    [("contains", 0.0), ("contains", 1.0), ("not-contains", 1.0)],
    [("contains", 1.0), ("contains", 1.0), ("not-contains", 0.0)],
]


def test_max_score_averages_and_the_first_best_wins_a_tie():
    grades = crossgrade.max_score(THREE, None)
    assert [g.passed for g in grades] == [True, False, False]  # all 2/3: the first wins
    assert [g.score for g in grades] == [1.0, 0.0, 0.0]
    assert grades[0].reason == "Selected as highest scoring output (score: 0.667)"
    assert grades[1].reason == "Not selected (score: 0.667, max: 0.667)"
    assert grades[0].named_scores == {"maxScore": 2 / 3, "assertionCount": 3, "totalWeight": 3.0}


def test_max_score_weights_by_type_and_sums():
    value = {"method": "sum", "weights": {"contains": 3, "not-contains": 0.5}}
    grades = crossgrade.max_score(THREE, value)
    assert [g.passed for g in grades] == [False, False, True]  # 3.5, 3.5, 6
    assert grades[2].reason == "Selected as highest scoring output (score: 6.000)"
    assert grades[0].named_scores["totalWeight"] == 6.5
    averaged = crossgrade.max_score(THREE, {"weights": {"not-contains": 0}})
    assert [g.passed for g in averaged] == [False, False, True]  # 0.5, 0.5, 1


def test_max_score_threshold_fails_every_case_when_the_best_misses_it():
    grades = crossgrade.max_score(THREE, {"threshold": 0.9})
    assert not any(g.passed for g in grades)
    # every case at the max is "below threshold", as in promptfoo
    assert grades[1].reason == "Not selected - score 0.667 below threshold 0.9"
    assert crossgrade.max_score(THREE, {"threshold": 2 / 3})[0].passed
    # JavaScript compares `score >= null` as `score >= 0`
    assert crossgrade.max_score([[("x", 0.0)], [("x", 0.0)]], {"threshold": None})[0].passed


def test_max_score_reads_nan_as_zero_and_refuses_a_case_without_scores():
    grades = crossgrade.max_score([[("x", float("nan"))], [("x", 0.5)]], {})
    assert [g.passed for g in grades] == [False, True]
    with pytest.raises(ValueError, match="at least one other assertion"):
        crossgrade.max_score([[("x", 1.0)], []], {})


def test_select_best_reads_the_first_whole_number():
    grades = crossgrade.select_best("I pick text 1, not 0.", 3, "short")
    assert [g.passed for g in grades] == [False, True, False]
    assert grades[1].reason == "Output selected as the best: short"
    assert grades[0].reason == "Output not selected: short"
    assert crossgrade.select_best("007", 8, "c")[7].passed
    for answer, shown in (
        ("none", "NaN"),
        ("3", "3"),
        ("99999999999999999999", "100000000000000000000"),
    ):
        bad = crossgrade.select_best(answer, 3, "c")
        assert {g.reason for g in bad} == {f"Invalid select-best verdict: {shown}"}
        assert not any(g.passed for g in bad)
    assert {g.reason for g in crossgrade.select_best("", 2, "c")} == {"No output"}


def test_the_merges_keep_or_replace_the_case_reason():
    failed = Verdict(False, 0.5, "own reason")
    passed = Verdict(True, 0.0, "All assertions passed")
    lost = Comparison(False, 0.0, "not picked")
    won = Comparison(True, 1.0, "picked")
    assert crossgrade.merge_select_best(failed, lost) == Verdict(False, 0.0, "not picked")
    assert crossgrade.merge_max_score(failed, lost) == Verdict(False, 0.0, "own reason")
    assert crossgrade.merge_max_score(passed, lost) == Verdict(False, 0.0, "not picked")
    # a winner keeps its own verdict and score (select-best alone: score 0, passed)
    assert crossgrade.merge_select_best(passed, won) == passed
    assert crossgrade.merge_max_score(failed, won) == failed


def test_shown_output_is_what_javascript_reads():
    assert crossgrade.shown_output(None) == ""
    assert crossgrade.shown_output(0) == ""
    assert crossgrade.shown_output('{"a": 1}') == {"a": 1}
    assert crossgrade.shown_output("12") == 12
    assert crossgrade.shown_output("plain") == "plain"
    assert crossgrade.shown_output([]) == []  # an empty list is true in JavaScript


def test_load_problems():
    best = AssertionSpec(type="select-best", value="c")
    other = AssertionSpec(type="contains", value="x")
    top = AssertionSpec(type="max-score")
    assert crossgrade.load_problem(best, [best, other], 2) is None
    assert "at least two outputs" in str(crossgrade.load_problem(best, [best], 1))
    assert crossgrade.load_problem(top, [top, best], 2) == crossgrade.NO_OTHER_ASSERTION
    assert "first select-best" in str(crossgrade.load_problem(best, [best, best, other], 2))
    negated = AssertionSpec(type="max-score", negate=True)
    assert "negated" in str(crossgrade.load_problem(negated, [negated, other], 2))
    assert crossgrade.value_problem(AssertionSpec(type="select-best", value=3)) is not None
    bad_weights = AssertionSpec(type="max-score", value={"weights": {"contains": "x"}})
    assert crossgrade.value_problem(bad_weights) is not None


def test_js_to_fixed_rounds_half_away_from_zero():
    assert jscompat.js_to_fixed(0.0625, 3) == "0.063"
    assert jscompat.js_to_fixed(-0.0, 3) == "0.000"
    assert jscompat.js_to_fixed(2 / 3, 3) == "0.667"


SUITE = """
prompts: ["{{ text }} alpha", "{{ text }} beta gamma"]
providers: [echo]
tests:
  - vars: {text: Letters}
    assert:
      - type: contains
        value: gamma
      - type: max-score
"""


def _suite(tmp_path: Path, body: str = SUITE) -> Path:
    path = tmp_path / "suite.yaml"
    path.write_text(body)
    return path


def test_a_run_folds_max_score_into_each_case(tmp_path):
    report = run_suites([load_suite(_suite(tmp_path))], use_cache=False)
    first, second = report.results
    assert (first.passed, first.score, first.reason) == (
        False,
        0.0,
        'Expected output to contain "gamma"',
    )
    assert (second.passed, second.score) == (True, 1.0)
    assert second.asserts[-1].type == "max-score"
    assert second.asserts[-1].named_scores["maxScore"] == 1.0
    assert first.asserts[-1].reason == "Not selected (score: 0.000, max: 1.000)"


def test_a_case_that_errored_stops_max_score_as_promptfoo_stops(tmp_path):
    two = SUITE.replace(
        "providers: [echo]",
        """providers:
  - echo
  - {id: echo, label: broken, transform: "python: 1 / 0"}""",
    )
    with pytest.raises(NewsdeskError, match=r"at least one other assertion.*stops the whole eval"):
        run_suites([load_suite(_suite(tmp_path, body=two))], use_cache=False)


def test_a_test_of_one_output_or_a_nested_comparison_is_refused(tmp_path):
    one = "prompts: ['{{ text }}']\nproviders: [echo]\ntests:\n" + SUITE.split("tests:\n")[1]
    with pytest.raises(SuiteError, match="at least two outputs"):
        load_suite(_suite(tmp_path, body=one))
    nested = SUITE.replace(
        "      - type: max-score",
        "      - type: assert-set\n        assert:\n          - type: max-score",
    )
    with pytest.raises(SuiteError, match="inside an assert-set"):
        load_suite(_suite(tmp_path, body=nested))


def test_select_best_without_node_is_refused_at_load(tmp_path, monkeypatch):
    monkeypatch.setattr(node, "node_version", lambda: None)
    body = SUITE.replace("      - type: max-score", "      - type: select-best\n        value: x")
    with pytest.raises(SuiteError, match=r"select-best's grading prompt .* under node"):
        load_suite(_suite(tmp_path, body=body))
