"""Hostile suites: JavaScript that never returns (an assertion, a regex, a template) costs one case,
in bounded time; the other cases still run and the report is still written."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from typer.testing import CliRunner

from newsdesk.cli.app import app
from newsdesk.evals import node
from tests.helpers.node import require_node
from tests.helpers.paths import DATA

SUITE = DATA / "hostile" / "suite.yaml"


def test_endless_javascript_costs_one_case_each(tmp_path: Path, monkeypatch):
    require_node()
    monkeypatch.setattr(node, "CALL_TIMEOUT_S", 1.0)
    suite = tmp_path / "suite.yaml"
    shutil.copy(SUITE, suite)
    out = tmp_path / "out.json"
    t0 = time.perf_counter()
    result = CliRunner().invoke(app, ["eval", str(suite), "-j", "1", "-o", str(out)])
    assert time.perf_counter() - t0 < 20
    assert result.exit_code == 1, result.output
    rows = json.loads(out.read_text())["results"]["results"]
    assert [r["success"] for r in rows] == [False, False, False, True]
    stopped = [json.dumps(r) for r in rows[:3]]
    assert all("ran longer than 1 s and was stopped" in r for r in stopped)
