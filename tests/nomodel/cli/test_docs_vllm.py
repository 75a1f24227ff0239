"""docs/vllm.md: its tested block runs, command for command, against the scripted
OpenAI-compatible server standing in for vLLM (same API: chat completions + JSON schema)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from newsdesk.testing import ScriptedServer, schema_responder
from tests.helpers.paths import ROOT

DOC = ROOT / "docs" / "vllm.md"
BIN = Path(sys.executable).parent


def doc_block() -> list[str]:
    text = DOC.read_text()
    m = re.search(r"<!-- tested:[^>]*-->\s*```bash\n(.*?)```", text, re.S)
    assert m, "docs/vllm.md lost its tested block"
    return [ln.strip() for ln in m.group(1).splitlines() if ln.strip()]


def test_vllm_doc_example_runs(tmp_path, example_path):
    lines = doc_block()
    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(example_path, articles / example_path.name)
    (articles / "second.txt").write_text("A second story. " + example_path.read_text())
    with ScriptedServer(responder=schema_responder) as srv:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "NEWSDESK_"))}
        env["NEWSDESK_CACHE_DIR"] = str(tmp_path / "cache")
        env["NEWSDESK_ENV_FILE"] = ""
        exported: dict[str, str] = {}
        outputs = []
        for line in lines:
            if line.startswith("export "):
                key, _, value = line.removeprefix("export ").partition("=")
                exported[key] = shlex.split(value)[0]
                env[key] = srv.url if key == "OPENAI_BASE_URL" else exported[key]
                continue
            args = shlex.split(line)
            assert args[0] == "newsdesk", line
            proc = subprocess.run(
                [str(BIN / "newsdesk"), *args[1:]],
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert proc.returncode == 0, f"{line}\n{proc.stderr}"
            outputs.append(proc.stdout + proc.stderr)
    assert exported["OPENAI_BASE_URL"].endswith("/v1")
    model, key = exported["NEWSDESK_MODEL"], exported["OPENAI_API_KEY"]
    doctor = outputs[0]
    assert srv.url in doctor and model in doctor and "structured output  yes" in doctor
    assert all(key not in out for out in outputs)
    assert sorted(p.name for p in (tmp_path / "summaries").iterdir()) == [
        "second.md",
        "us-china-trade-talks.md",
    ]
    assert len(list((tmp_path / "briefs").glob("*.html"))) == 2
    # what vLLM would have seen: the documented model, the key as a bearer token, JSON schemas
    assert {r["model"] for r in srv.requests} == {model}
    auth = {{k.lower(): v for k, v in h.items()}["authorization"] for h in srv.headers}
    assert auth == {f"Bearer {key}"}
    assert all(r["response_format"]["type"] == "json_schema" for r in srv.requests[1:])
