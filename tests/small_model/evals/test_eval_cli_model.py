"""newsdesk eval on the embedded 270M model: the project's suites and the runner end to end (split
from tests/nomodel/evals/test_eval_cli.py)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from tests.helpers.paths import ROOT
from tests.nomodel.evals.test_eval_cli import run

PANDHER = ROOT / "tests" / "data" / "newsqa-pandher.txt"


SUITE = f"""\
description: runner end to end
prompts: [ask]
providers:
  - id: embedded
    config: {{temperature: 0, seed: 7, deterministic: true}}
tests:
  - description: unanswerable, with a check that must fail
    vars:
      article: {PANDHER}
      question: What is the capital of Australia?
    assert:
      - type: cites-valid
      - type: contains
        value: this text is in no answer
      - type: llm-rubric
        value: Says that the article does not give the answer.
        provider: embedded
        weight: 0
"""


SUITES = sorted((ROOT / "prompts" / "tests").glob("*.yaml"))


@pytest.mark.llm
def test_project_suite_passes_on_the_embedded_model(tmp_path):
    """prompts/tests/*.yaml is newsdesk's own regression suite: a prompt change that breaks a
    case fails CI here."""
    assert SUITES, "prompts/tests/ has no suite"
    junit, report = tmp_path / "own.xml", tmp_path / "own.json"
    result = run(*map(str, SUITES), "--junit", str(junit), "--json", str(report))
    assert result.exit_code == 0, result.output
    root = ET.parse(junit).getroot()
    assert int(root.get("tests", "0")) >= 5 and root.get("failures") == "0"
    data = json.loads(report.read_text())
    assert data["passed"] and data["summary"]["errors"] == 0


@pytest.mark.llm
def test_runner_end_to_end_on_the_embedded_model(tmp_path):
    suite = tmp_path / "suite.yaml"
    suite.write_text(SUITE)
    out = {k: tmp_path / f"out.{k}" for k in ("json", "xml", "html")}
    args = [str(suite), "--repeat", "2", "--json", str(out["json"]), "--junit", str(out["xml"])]
    result = run(*args, "-o", str(out["html"]))
    assert result.exit_code == 1, result.output  # the `contains` check fails
    assert "this text is in no answer" in result.output
    data = json.loads(out["json"].read_text())
    assert len(data["results"]) == 2 and data["groups"][0]["pass_rate"] == 0.0
    for r in data["results"]:
        by_type = {a["type"]: a for a in r["asserts"]}
        assert by_type["cites-valid"]["passed"] and not by_type["contains"]["passed"]
        assert by_type["llm-rubric"]["reason"].startswith("graded by"), by_type["llm-rubric"]
    root = ET.parse(out["xml"]).getroot()
    assert root.get("failures") == "1"
    assert "unanswerable, with a check that must fail" in out["html"].read_text()
    # the same run again is served from the shared response cache
    again = run(*args)
    assert again.exit_code == 1
    calls = json.loads(out["json"].read_text())["summary"]
    assert calls["cache_hits"] == calls["calls"] >= 2, calls
