"""Suite loading: promptfoo's shape, defaults merged, and every error naming its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.evals.suite import SuiteError, load_suite
from tests.helpers.paths import ROOT

EXAMPLE = ROOT / "examples" / "us-china-trade-talks.txt"

GOOD = f"""\
description: demo
prompts:
  - ask
  - id: prompts/ask.j2
    label: ask-by-path
providers:
  - embedded
  - id: openai:gpt-4o-mini
    label: mini
    config: {{base_url: "http://127.0.0.1:9/v1", temperature: 0}}
defaultTest:
  vars:
    article: {EXAMPLE}
  assert:
    - type: cites-valid
tests:
  - description: tariffs
    vars: {{question: "What was spared?"}}
    threshold: 0.5
    assert:
      - type: not-abstains
        weight: 2
        metric: answered
  - vars:
      question: "Who won the 2018 World Cup?"
      article: |
        Line one of an inline article. Line two.
    assert:
      - type: abstains
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "suite.yaml"
    path.write_text(text)
    return path


def test_good_suite_loads_with_defaults(tmp_path):
    suite = load_suite(write(tmp_path, GOOD))
    assert [p.label for p in suite.prompts] == ["ask", "ask-by-path"]
    assert all(p.task == "ask" for p in suite.prompts)
    assert [p.label for p in suite.providers] == ["embedded", "mini"]
    assert suite.providers[1].model == "gpt-4o-mini"
    first, second = suite.tests
    assert [a.label for a in first.asserts] == ["cites-valid", "not-abstains"]
    assert first.asserts[1].weight == 2 and first.asserts[1].metric == "answered"
    assert first.threshold == 0.5 and first.line == 17
    # no description: the question names the test; inline article text is kept as text
    assert second.description == "Who won the 2018 World Cup?"
    assert second.vars["article"].startswith("Line one")


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("      - type: abstains\n", "      - type: abstain\n", 29, "unknown assertion type"),
        ("        weight: 2\n", "        wieght: 2\n", 22, "did you mean 'weight'"),
        ("description: demo\n", "descripton: demo\n", 1, "unknown key 'descripton'"),
        ("    threshold: 0.5\n", "    threshold: high\n", 19, "must be a number"),
        ("  - ask\n", "  - ask-nothing.j2\n", 3, "not found"),
        ("    config: {", "    config: {temprature: 1, ", 10, "unknown key 'temprature'"),
        ('    vars: {question: "What was spared?"}\n', "    vars: {}\n", 17, "needs the var"),
        ("        weight: 2\n", "        weight: -1\n", 22, "weight must be >= 0"),
        ("  - description: tariffs\n", "  - oops\n  - description: tariffs\n", 17, "no such file"),
    ],
)
def test_errors_name_the_line(tmp_path, old, new, line, message):  # type: ignore[no-untyped-def]
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(SuiteError) as err:
        load_suite(path)
    text = str(err.value)
    assert text.startswith(f"{path}:{line}:"), text
    assert message in text


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = write(tmp_path, "prompts: [ask\ntests:\n  - x: [\n")
    with pytest.raises(SuiteError) as err:
        load_suite(path)
    assert "invalid YAML" in str(err.value) and f"{path}:" in str(err.value)


def test_duplicate_keys_are_errors(tmp_path):
    path = write(tmp_path, GOOD.replace("description: demo\n", "description: a\ndescription: b\n"))
    with pytest.raises(SuiteError, match=r":2: .*duplicate key 'description'"):
        load_suite(path)


def test_missing_article_file_is_an_error(tmp_path):
    path = write(tmp_path, GOOD.replace(str(EXAMPLE), "nowhere/missing.txt"))
    with pytest.raises(SuiteError, match=r"missing\.txt: no such file"):
        load_suite(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("- a\n- b\n", "must be a mapping"),
        ("prompts: [ask]\ntests: []\n", "at least one test"),
        ("tests: [{vars: {}}]\n", "at least one template"),
    ],
)
def test_structural_errors(tmp_path, text, message):  # type: ignore[no-untyped-def]
    with pytest.raises(SuiteError, match=message):
        load_suite(write(tmp_path, text))


def test_missing_suite_file(tmp_path):
    with pytest.raises(SuiteError, match="no such suite file"):
        load_suite(tmp_path / "absent.yaml")


def test_template_paths_name_the_shipped_template_or_a_variant(tmp_path):
    shipped_path = GOOD.replace(
        "  - id: prompts/ask.j2\n", f"  - id: {ROOT / 'prompts' / 'ask.j2'}\n"
    )
    suite = load_suite(write(tmp_path, shipped_path))
    assert suite.prompts[1].template == "ask.j2"  # a path to prompts/ask.j2 is the shipped one
    variant = tmp_path / "ask-terse.j2"
    variant.write_text("{{ question }}")
    with_variant = shipped_path.replace(
        "prompts:\n  - ask\n", "prompts:\n  - {id: ask-terse.j2, task: ask}\n"
    )
    first = load_suite(write(tmp_path, with_variant)).prompts[0]
    assert first.task == "ask" and first.template == str(variant.resolve())


def test_a_variant_template_reaches_the_prompt(tmp_path):
    """What `newsdesk eval` hands the ask task for a variant is what the model is sent."""
    from newsdesk.article import load_article
    from newsdesk.config import load_settings
    from newsdesk.tasks.registry import get_task

    variant = tmp_path / "ask-marked.j2"
    variant.write_text((ROOT / "prompts" / "ask.j2").read_text() + "\nVARIANT-MARKER\n")
    article = load_article(EXAMPLE)
    settings, task = load_settings(), get_task("ask")
    question = {"question": "What did Xi agree to?"}
    (shipped,) = task.prompts(article, settings, question)
    (varied,) = task.prompts(article, settings, question, str(variant))
    assert "VARIANT-MARKER" in varied.messages[-1]["content"]
    assert "VARIANT-MARKER" not in shipped.messages[-1]["content"]


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("extensions: []\ntests: [{vars: {}}]\n", 3, "'extensions' is not supported"),
        ("tests:\n  - assert: [{type: meteor, value: x}]\n", 4, "'meteor' is not supported"),
        ("tests:\n  - assert: [{type: not-select-best, value: x}]\n", 4, "never runs a negated"),
    ],
)
def test_what_newsdesk_does_not_run_is_refused_with_the_reason(tmp_path, body, line, message):
    suite = tmp_path / "s.yaml"
    suite.write_text("prompts: [hi]\nproviders: [echo]\n" + body)
    with pytest.raises(SuiteError) as err:
        load_suite(suite)
    text = str(err.value)
    assert text.startswith(f"{suite}:{line}: ") and "\n" not in text
    assert message in text
