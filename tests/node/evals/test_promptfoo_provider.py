"""newsdesk inside promptfoo: real promptfoo runs a config whose provider is newsdesk's ask task
(src/newsdesk/promptfoo_provider.py, in this Python), against a scripted endpoint."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from newsdesk import promptfoo_provider
from newsdesk.testing import ScriptedServer, schema_responder
from tests.helpers.paths import DATA, EXAMPLE
from tests.node.evals.test_eval_promptfoo import require_promptfoo, run_promptfoo

HERE = DATA / "promptfoo_provider"


def test_promptfoo_runs_newsdesks_ask_task(tmp_path: Path):
    binary = require_promptfoo()
    config = tmp_path / "promptfooconfig.yaml"
    shutil.copy(HERE / "promptfooconfig.yaml", config)
    text = config.read_text().replace("{{PROVIDER}}", str(Path(promptfoo_provider.__file__)))
    config.write_text(text.replace("{{ARTICLE}}", str(EXAMPLE)))
    out = tmp_path / "out.json"
    with ScriptedServer(responder=schema_responder) as server:
        env = {
            "PROMPTFOO_PYTHON": sys.executable,
            "OPENAI_BASE_URL": server.url,
            "OPENAI_API_KEY": "local",
            "NEWSDESK_CACHE_DIR": str(tmp_path / "cache"),
            "NEWSDESK_ENV_FILE": "",
        }
        run_promptfoo(binary, config, out, env)
        assert server.requests, "the task never called the endpoint"
    rows = json.loads(out.read_text())["results"]["results"]
    assert len(rows) == 1
    row = rows[0]
    assert not row.get("error"), row.get("error")
    assert row["success"], row["gradingResult"]
    assert row["response"]["metadata"]["task"] == "ask"
    assert "answer" in row["response"]["metadata"]["result"]
