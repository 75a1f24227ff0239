"""contextTransform's loading rules and promptfoo's wording (side by side with promptfoo itself,
the transforms run under node: tests/node/evals/test_eval_promptfoo_docs.py, folder
context_transform)."""

from __future__ import annotations

import pytest

from newsdesk.evals import node
from newsdesk.evals.assertions import CaseError, EvalContext
from newsdesk.evals.assertions.model_graded import NO_CONTEXT, _rag_context, _transform_label
from newsdesk.evals.spec import AssertionSpec
from newsdesk.evals.suite import SuiteError, load_suite

SUITE = """prompts: ["{{ answer }} || {{ doc }}"]
providers: [echo]
tests:
  - vars: {answer: Paris., doc: Paris is in France., query: "Where is Paris?"}
    assert:
      - type: %s
        contextTransform: "%s"
"""


def _load(tmp_path, kind: str, code: str = "output.split(' || ')[1]"):  # type: ignore[no-untyped-def]
    path = tmp_path / "suite.yaml"
    path.write_text(SUITE % (kind, code))
    return load_suite(path)


def test_without_node_a_context_transform_is_refused_naming_it(tmp_path, monkeypatch):
    monkeypatch.setattr(node, "node_version", lambda: None)
    with pytest.raises(SuiteError) as err:
        _load(tmp_path, "context-relevance")
    assert "a contextTransform (on context-relevance" in str(err.value)
    assert "install node" in str(err.value)


def test_a_python_context_transform_is_read_and_kept(tmp_path):
    suite = _load(tmp_path, "context-relevance", "python: output.split(' || ')[1]")
    assert suite.tests[0].asserts[0].context_transform == "python: output.split(' || ')[1]"


def test_context_transform_elsewhere_is_refused(tmp_path):
    with pytest.raises(SuiteError, match="contextTransform applies only to context-recall"):
        _load(tmp_path, "contains")


def test_labels_as_promptfoo_names_a_transform():
    assert _transform_label("file://t.js:f") == "[file transform]"
    assert _transform_label("  a +\n  b ") == "[inline transform]: a + b"
    long = "x" * 81
    assert _transform_label(long) == f"[inline transform]: {'x' * 79}…"
    assert _transform_label("x" * 80) == f"[inline transform]: {'x' * 80}"


def _context(variables: dict[str, object], code: str | None = None, output: object = "o"):  # type: ignore[no-untyped-def]
    spec = AssertionSpec(type="context-recall", value="v", context_transform=code)
    ctx = EvalContext(vars=variables, prompt="the prompt", provider_output=output)
    return _rag_context(spec, ctx, "the prompt")


def test_the_context_var_then_the_fallback_then_the_transform():
    assert _context({"context": "given"}) == "given"
    assert _context({}) == "the prompt"
    assert _context({"context": "given"}, "python: output + '!'") == "o!"
    with pytest.raises(CaseError, match="found number at index 1"):
        _context({"context": ["a", 2]})
    with pytest.raises(CaseError) as err:
        _context({"context": []})  # an empty list is a context in JavaScript, and an empty one
    assert str(err.value) == f"Error: Invariant failed: {NO_CONTEXT}"


def test_a_failing_transform_errors_the_case_in_promptfoos_words():
    with pytest.raises(CaseError) as err:
        _context({}, "python: 42")
    assert str(err.value) == (
        "Error: Failed to transform context using expression '[inline transform]: python: 42': "
        "Invariant failed: contextTransform must return a string or array of strings. Got "
        "number. Check your transform expression: [inline transform]: python: 42"
    )
    with pytest.raises(CaseError, match="did not return a value\n\n\\[inline transform\\]"):
        _context({}, "python: None")
