"""--repeat with the cache on, side by side: promptfoo 0.123.1 keeps a cache namespace per repeat
(`repeat:N`), so a seed sent through `passthrough` (the same request every repeat) still has each
repeat ask the endpoint, its case and its grader, once, repeat 0 too though a run without
--repeat cached the same requests; run again, nothing is asked. newsdesk must send the same
requests, as many, each time (tests/data/promptfoo_repeat/)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from newsdesk.cli.app import app
from newsdesk.testing import ScriptedServer
from tests.helpers.paths import DATA
from tests.node.evals.test_eval_promptfoo import require_promptfoo
from tests.node.evals.test_eval_promptfoo_docs import echo_responder

REPEAT = "3"
RUNS = ([], ["--repeat", REPEAT], ["--repeat", REPEAT])  # once, then repeated twice


def kinds(requests: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Each request as (case or grader, its seed), sorted."""
    return sorted(
        ("grader" if "<Rubric>" in json.dumps(r["messages"]) else "case", str(r.get("seed")))
        for r in requests
    )


def promptfoo_runs(binary: Path, config: Path, server: ScriptedServer) -> list[list[Any]]:
    env = {
        **os.environ,
        "PATH": f"{binary.parent}:{os.environ.get('PATH', '')}",
        "PROMPTFOO_DISABLE_TELEMETRY": "1",
        "PROMPTFOO_DISABLE_UPDATE": "1",
        "PROMPTFOO_CONFIG_DIR": str(config.parent / ".promptfoo"),
        "PROMPTFOO_CACHE_PATH": str(config.parent / ".promptfoo-cache"),
    }
    runs = []
    for n, flags in enumerate(RUNS):
        server.requests.clear()
        out = config.parent / f"promptfoo{n}.json"
        cmd = [str(binary), "eval", "-c", str(config), "-o", str(out), *flags]
        cmd += ["--no-table", "--no-progress-bar"]
        subprocess.run(cmd, cwd=config.parent, env=env, capture_output=True, timeout=120)
        assert out.is_file(), f"promptfoo wrote no results (run {n})"
        runs.append(kinds(server.requests))
    return runs


def newsdesk_runs(config: Path, server: ScriptedServer, monkeypatch: Any) -> list[list[Any]]:
    monkeypatch.setenv("NEWSDESK_CACHE_DIR", str(config.parent / ".newsdesk-cache"))
    monkeypatch.chdir(config.parent)
    runs = []
    for flags in RUNS:
        server.requests.clear()
        result = CliRunner().invoke(app, ["eval", str(config), *flags])
        assert result.exit_code == 0, result.output
        runs.append(kinds(server.requests))
    return runs


def test_each_repeat_asks_once_and_a_run_again_asks_nothing(tmp_path, monkeypatch):
    binary = require_promptfoo()
    with ScriptedServer(responder=echo_responder) as server:
        configs = []
        for name in ("promptfoo", "newsdesk"):
            work = tmp_path / name
            shutil.copytree(DATA / "promptfoo_repeat", work)
            config = work / "promptfooconfig.yaml"
            config.write_text(config.read_text().replace("{{BASE_URL}}", server.url))
            configs.append(config)
        theirs = promptfoo_runs(binary, configs[0], server)
        ours = newsdesk_runs(configs[1], server, monkeypatch)
    three = int(REPEAT)
    once = [("case", "42"), ("grader", "None")]
    assert theirs == [once, [("case", "42")] * three + [("grader", "None")] * three, []]
    assert ours == theirs
