"""`newsdesk eval` through the CLI: the project's own suite and the runner end to end on the
embedded model, exit codes 0/1/2, --compare, and an unreachable endpoint."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsdesk.cli.app import app
from newsdesk.evals.report import to_json
from newsdesk.evals.runner import AssertionResult, CaseResult, RunReport

runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["eval", *args])


def one_line_error(result, code: int = 2) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == code, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    return str(lines[0])


def test_bad_suite_is_one_line_with_the_line_number(tmp_path):
    suite = tmp_path / "bad.yaml"
    suite.write_text(
        "prompts: [ask]\ntests:\n  - vars: {question: q, article: x y}\n"
        "    assert:\n      - type: containz\n        value: a\n"
    )
    line = one_line_error(run(str(suite)))
    assert f"{suite}:5:" in line and "unknown assertion type 'containz'" in line
    assert "did you mean 'contains'" in line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give one or more suite files"),
        (["--repeat", "0", "SUITE"], "--repeat"),
        (["--max-concurrency", "0", "SUITE"], "--max-concurrency"),
        (["--json", "/nonexistent-dir/x.json", "SUITE"], "does not exist"),
        (["--compare", "A.json", "B.json", "SUITE"], "runs no suite"),
        (["--filter", "matches-nothing-at-all", "SUITE"], "matches no test"),
        (["missing.yaml"], "no such suite file"),
    ],
)
def test_bad_flags_exit_2(tmp_path, args, message):  # type: ignore[no-untyped-def]
    suite = tmp_path / "ok.yaml"
    suite.write_text(
        "prompts: [ask]\ntests:\n  - vars: {question: q, article: Some text here.}\n"
        "    assert: [{type: abstains}]\n"
    )
    line = one_line_error(run(*[str(suite) if a == "SUITE" else a for a in args]))
    assert message in line


def _report(path: Path, statuses: dict[str, bool]) -> Path:
    results = [
        CaseResult(
            case_id=f"s.yaml::{d}",
            suite="s.yaml",
            test_index=i,
            description=d,
            prompt="ask",
            provider="embedded",
            repeat=0,
            passed=ok,
            score=float(ok),
            asserts=[AssertionResult(type="contains", passed=ok, score=float(ok), reason="r")],
        )
        for i, (d, ok) in enumerate(statuses.items(), start=1)
    ]
    rep = RunReport(
        suites=["s.yaml"],
        description="s",
        started="2026-01-01T00:00:00+00:00",
        duration_s=1.0,
        results=results,
    )
    path.write_text(to_json(rep))
    return path


def test_compare_cli(tmp_path):
    a = _report(tmp_path / "a.json", {"kept": True, "regressed": True, "fixed": False})
    b = _report(tmp_path / "b.json", {"kept": True, "regressed": False, "fixed": True})
    result = run("--compare", str(a), str(b))
    assert result.exit_code == 1, result.output
    out = result.output
    assert out.index("New failures") < out.index("Fixed")
    assert "regressed" in out.split("Fixed")[0]
    assert run("--compare", str(a), str(a)).exit_code == 0
    (tmp_path / "junk.json").write_text("{not json")
    assert "not a newsdesk eval JSON report" in one_line_error(
        run("--compare", str(a), str(tmp_path / "junk.json"))
    )


def test_unreachable_endpoint_is_a_case_error_not_a_crash(tmp_path):
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    suite = tmp_path / "remote.yaml"
    suite.write_text(
        "prompts: [ask]\nproviders:\n  - id: openai:some-model\n"
        f"    config: {{base_url: 'http://127.0.0.1:{port}/v1', max_retries: 0}}\n"
        "tests:\n  - vars: {question: q, article: Some text here.}\n"
        "    assert: [{type: abstains}]\n"
    )
    report = tmp_path / "r.json"
    result = run(str(suite), "--no-cache", "--json", str(report))
    assert result.exit_code == 1, result.output
    (case,) = json.loads(report.read_text())["results"]
    assert case["status"] == "error" and "unreachable" in case["error"]
