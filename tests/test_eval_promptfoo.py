"""Proof against the real tool: tests/promptfoo_parity/suite.yaml (every assertion type issue 10
names, both prompt kinds, defaultTest, CSV, scenarios, assert-set, threshold, metrics) run by
promptfoo and by `newsdesk eval` against the same scripted OpenAI-compatible server; every
test's verdict and score, every assertion's verdict and score, and the named metrics must agree.

Runs when promptfoo (and node >= 22) are installed: `.ci/run` installs them under /opt/pf
(PROMPTFOO_BIN names another promptfoo). Skips, saying so, when they are not.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from newsdesk.cli import app
from tests.scripted_server import Reply, ScriptedServer, completion

HERE = Path(__file__).resolve().parent / "promptfoo_parity"
OUTPUTS: dict[str, str] = json.loads((HERE / "outputs.json").read_text())
CASE = re.compile(r"case:(\S+)")


def promptfoo_bin() -> Path | None:
    explicit = os.environ.get("PROMPTFOO_BIN")
    candidates = [Path(explicit)] if explicit else []
    candidates.append(Path("/opt/pf/node_modules/.bin/promptfoo"))
    found = shutil.which("promptfoo")
    if found:
        candidates.append(Path(found))
    return next((c for c in candidates if c.is_file()), None)


def responder(request: dict[str, Any]) -> Reply:
    text = request["messages"][-1]["content"]
    m = CASE.search(text)
    return Reply(body=completion(OUTPUTS.get(m.group(1), "unscripted") if m else "no case"))


def write_suite(tmp: Path, url: str) -> Path:
    for f in HERE.iterdir():
        shutil.copy(f, tmp / f.name)
    suite = tmp / "suite.yaml"
    suite.write_text(suite.read_text().replace("{{BASE_URL}}", url))
    return suite


def rows(path: Path) -> dict[tuple[str, bool], dict[str, Any]]:
    data = json.loads(path.read_text())
    out = {}
    for r in data["results"]["results"]:
        raw = r["prompt"]["raw"]
        out[(r["vars"]["key"], raw.lstrip().startswith("["))] = r
    return out


def run_promptfoo(binary: Path, suite: Path, out: Path) -> None:
    env = {
        **os.environ,
        "PATH": f"{binary.parent}:{os.environ.get('PATH', '')}",
        "PROMPTFOO_DISABLE_TELEMETRY": "1",
        "PROMPTFOO_DISABLE_UPDATE": "1",
        "PROMPTFOO_CONFIG_DIR": str(suite.parent / ".promptfoo"),
        "PARITY_KEY": "parity-key",
    }
    cmd = [str(binary), "eval", "-c", str(suite), "-o", str(out), "--no-cache", "--no-table"]
    cmd += ["--no-progress-bar", "-j", "4"]
    proc = subprocess.run(
        cmd, cwd=suite.parent, env=env, capture_output=True, text=True, timeout=90
    )
    assert out.is_file(), (
        f"promptfoo wrote no results:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    )


def compare(pf: dict[Any, dict[str, Any]], nd: dict[Any, dict[str, Any]]) -> tuple[int, list[str]]:
    problems: list[str] = []
    assertions = 0
    assert set(pf) == set(nd), f"cases differ: {set(pf) ^ set(nd)}"
    for key, a in sorted(pf.items()):
        b = nd[key]
        label = f"{key[0]} ({'chat' if key[1] else 'text'})"
        if a["success"] != b["success"] or abs(a["score"] - b["score"]) > 1e-6:
            problems.append(
                f"{label}: promptfoo {a['success']}/{a['score']:.4f}, "
                f"newsdesk {b['success']}/{b['score']:.4f}"
            )
        ga, gb = a["gradingResult"]["componentResults"], b["gradingResult"]["componentResults"]
        if len(ga) != len(gb):
            problems.append(f"{label}: {len(ga)} vs {len(gb)} assertion results")
            continue
        for i, (x, y) in enumerate(zip(ga, gb, strict=True)):
            assertions += 1
            if x["pass"] != y["pass"] or abs(x["score"] - y["score"]) > 1e-6:
                kind = x.get("assertion", {}).get("type")
                problems.append(
                    f"{label} #{i} {kind}: promptfoo {x['pass']}/{x['score']} "
                    f"({x['reason'][:60]}), newsdesk {y['pass']}/{y['score']} ({y['reason'][:60]})"
                )
        na = {k: round(v, 6) for k, v in (a.get("namedScores") or {}).items()}
        nb = {k: round(v, 6) for k, v in (b.get("namedScores") or {}).items()}
        if na != nb:
            problems.append(f"{label}: named scores {na} vs {nb}")
    return assertions, problems


def test_newsdesk_grades_as_promptfoo_does(tmp_path, monkeypatch):
    binary = promptfoo_bin()
    if binary is None:
        pytest.skip(
            "promptfoo is not installed (bash .ci/run installs node 22 + promptfoo 0.123.1)"
        )
    node = binary.parent / "node"
    if not node.is_file() and shutil.which("node") is None:
        pytest.skip("promptfoo needs node 22, which is not installed")
    monkeypatch.setenv("PARITY_KEY", "parity-key")
    monkeypatch.setenv("NEWSDESK_CACHE_DIR", str(tmp_path / "cache"))
    with ScriptedServer(responder=responder) as server:
        suite = write_suite(tmp_path, server.url)
        pf_out, nd_out = tmp_path / "promptfoo.json", tmp_path / "newsdesk.json"
        run_promptfoo(binary, suite, pf_out)
        monkeypatch.chdir(tmp_path)
        result = CliRunner().invoke(app, ["eval", str(suite), "-o", str(nd_out), "--no-cache"])
        assert result.exit_code in (0, 1), result.output
    pf, nd = rows(pf_out), rows(nd_out)
    assertions, problems = compare(pf, nd)
    print(f"compared {len(pf)} cases, {assertions} assertion results: {len(problems)} differ")
    assert len(pf) >= 40 and assertions >= 60
    assert not problems, "\n".join(problems)
