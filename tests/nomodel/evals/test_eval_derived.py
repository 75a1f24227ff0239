"""derivedMetrics' pure parts: the entries a suite may hold, what each case adds to its prompt's
named scores, and the refusal at load without node (the expressions run in promptfoo's mathjs:
tests/node/evals/test_eval_promptfoo_docs.py, the derived_metrics folder)."""

from __future__ import annotations

import pytest

from newsdesk.evals import derived, node
from newsdesk.evals.derived import DerivedMetric
from newsdesk.evals.suite import SuiteError, load_suite


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"name": "rate", "value": "a / __count"}, None),
        ("rate", "must be a mapping"),
        ({"name": "rate"}, "needs a `value`"),
        ({"value": "a"}, "needs a `name`"),
        ({"name": "rate", "value": 3}, "needs a `value`"),
        ({"name": "rate", "value": "file://m.js"}, "file:// value"),
        ({"name": "rate", "value": "a", "weight": 2}, "unknown key 'weight'"),
    ],
)
def test_an_entry_is_a_name_and_an_expression(item, message):
    found = derived.problem(item)
    assert found is None if message is None else message in (found or "")


def test_a_case_adds_its_weighted_sums():
    # promptfoo: the case's weighted mean times the metric's total weight; a metric with no
    # weight recorded counts once
    assert derived.row_contributions({"tone": 0.5, "topic": 1.0}, {"tone": 4.0}) == {
        "tone": 2.0,
        "topic": 1.0,
    }
    rows = derived.columns(
        [(("a", "p"), {"x": 1.0}), (("b", "p"), {"x": 5.0}), (("a", "p"), {"x": 2.0, "y": 0.0})]
    )
    assert rows == {("a", "p"): [{"x": 1.0}, {"x": 2.0, "y": 0.0}], ("b", "p"): [{"x": 5.0}]}
    assert derived.sums(rows[("a", "p")]) == {"x": 3.0, "y": 0.0}


SUITE = "prompts: [hi]\nproviders: [echo]\ntests: [{vars: {}}]\nderivedMetrics:\n"


def test_a_suite_reads_its_derived_metrics(tmp_path, monkeypatch):
    monkeypatch.setattr(node, "promptfoo_missing", lambda: None)
    path = tmp_path / "s.yaml"
    path.write_text(SUITE + "  - {name: rate, value: a / __count}\n")
    assert load_suite(path).derived_metrics == [DerivedMetric("rate", "a / __count")]


@pytest.mark.parametrize(
    ("entry", "line", "message"),
    [
        ("  - {name: rate}\n", 5, "needs a `value`"),
        ("  - {name: rate, value: a}\n", 4, "derivedMetrics are mathjs expressions"),
    ],
)
def test_bad_entries_and_no_node_are_refused_at_load(tmp_path, monkeypatch, entry, line, message):
    monkeypatch.setattr(node, "promptfoo_missing", lambda: "no node >= 18 was found")
    path = tmp_path / "s.yaml"
    path.write_text(SUITE + entry)
    with pytest.raises(SuiteError) as err:
        load_suite(path)
    assert f"s.yaml:{line}:" in str(err.value) and message in str(err.value)
    assert "\n" not in str(err.value)
    if line == 4:
        assert "install node" in str(err.value)
