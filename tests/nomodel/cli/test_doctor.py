"""`newsdesk doctor` and `newsdesk cache` against the scripted server: what they report, and that
the key is only ever shown masked."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsdesk.cli.app import app
from newsdesk.testing import Reply, ScriptedServer, schema_responder

KEY = "sk-doctor-0123456789abcdefWXYZ"


def doctor(monkeypatch, tmp_path: Path, url: str, *extra: str):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("NEWSDESK_MODEL", "scripted")
    monkeypatch.setenv("NEWSDESK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NEWSDESK_BACKOFF", "0.01")
    return CliRunner().invoke(app, ["doctor", *extra])


def no_key(text: str) -> None:
    assert KEY not in text and KEY[3:-2] not in text and KEY[-6:] not in text


def test_reachable_endpoint_with_structured_output(monkeypatch, tmp_path):
    with ScriptedServer(responder=schema_responder) as srv:
        text = doctor(monkeypatch, tmp_path, srv.url)
        js = doctor(monkeypatch, tmp_path, srv.url, "--json")
    assert text.exit_code == 0, text.output
    rows = dict(line.strip().split("  ", 1) for line in text.stdout.splitlines() if line.strip())
    rows = {k.strip(): v.strip() for k, v in rows.items()}
    assert rows["endpoint"] == srv.url
    assert rows["model"] == "scripted"
    assert rows["reachable"].startswith("yes (")
    assert rows["structured output"] == "yes"
    assert rows["api key"] == f"set ({len(KEY)} chars, ends …{KEY[-2:]})"
    assert str(tmp_path / "cache") in rows["cache"] and "entries" in rows["cache"]
    data = json.loads(js.stdout)
    assert data["ok"] is True and data["reachable"] is True and data["structured_output"] is True
    assert data["cache"]["path"].startswith(str(tmp_path / "cache"))
    assert {"entries", "bytes"} <= set(data["cache"])
    no_key(text.output + js.output)
    # the check really asked for a JSON schema, with the key only in the header
    fmt = srv.requests[0]["response_format"]
    assert fmt["type"] == "json_schema"
    assert all(KEY not in json.dumps(r) for r in srv.requests)


def test_wrong_key_is_reported_masked_exit_1(monkeypatch, tmp_path):
    reply = Reply(401, {"error": {"message": f"Incorrect API key provided: {KEY}"}})
    with ScriptedServer(reply) as srv:
        result = doctor(monkeypatch, tmp_path, srv.url, "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert data["reachable"] is True  # it answered: the problem is the key
    assert "401" in data["error"] and "OPENAI_API_KEY" in data["error"]
    assert "\n" not in data["error"]
    no_key(result.output)
    assert len(srv.requests) == 1  # no retries on a bad key


def test_unreachable_endpoint(monkeypatch, tmp_path):
    result = doctor(monkeypatch, tmp_path, "http://127.0.0.1:9/v1")
    assert result.exit_code == 1
    out = result.stdout
    assert "reachable  no" in out
    assert "structured output  unknown" in out
    assert "problem  endpoint http://127.0.0.1:9/v1 is unreachable" in out
    assert "Traceback" not in result.output
    no_key(result.output)


def test_endpoint_without_json_schema_falls_back_and_says_so(monkeypatch, tmp_path):
    rejected = Reply(400, {"error": {"message": "response_format json_schema is not supported"}})
    with ScriptedServer(Reply(body={"choices": []})) as srv:
        srv.script(rejected)
        srv.responder = None
        srv.default = Reply(
            body={
                "id": "x",
                "object": "chat.completion",
                "created": 0,
                "model": "scripted",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": '{"ok": true}'},
                        "finish_reason": "stop",
                    }
                ],
            }
        )
        result = doctor(monkeypatch, tmp_path, srv.url, "--json")
    data = json.loads(result.stdout)
    assert data["reachable"] is True
    assert data["structured_output"] is False  # only plain JSON mode works there
    assert srv.requests[1]["response_format"] == {"type": "json_object"}


def test_cache_stats_clear_and_corrupt_file(monkeypatch, tmp_path, example_path):
    monkeypatch.setenv("NEWSDESK_CACHE_DIR", str(tmp_path / "cache"))
    runner = CliRunner()
    with ScriptedServer(responder=schema_responder) as srv:
        args = ["ask", str(example_path), "Who?", "--base-url", srv.url, "--model", "m"]
        assert runner.invoke(app, args, env={"OPENAI_API_KEY": "k"}).exit_code == 0
        stats = json.loads(runner.invoke(app, ["cache", "stats", "--json"]).stdout)
        assert stats["entries"] == 1 and stats["bytes"] > 0
        # damage the file: the next command warns, rebuilds, and still answers
        db = Path(stats["path"])
        for suffix in ("-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        db.write_bytes(b"garbage, not sqlite " * 500)
        again = runner.invoke(app, args, env={"OPENAI_API_KEY": "k"})
        assert again.exit_code == 0, again.output
        assert "warning: response cache" in again.stderr and "rebuilding" in again.stderr
        assert len(srv.requests) == 2  # the damaged entry was asked again, not served
    assert list(db.parent.glob("responses.sqlite3.corrupt-*"))
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    cleared = runner.invoke(app, ["cache", "clear", "--yes"])
    assert cleared.exit_code == 0 and "removed 1 entries" in cleared.stdout
    assert json.loads(runner.invoke(app, ["cache", "stats", "--json"]).stdout)["entries"] == 0


def test_one_damaged_entry_is_dropped_not_the_whole_cache(tmp_path):
    from newsdesk.llm.cache import ResponseCache

    cache = ResponseCache(tmp_path / "c.sqlite3")
    cache.put("good", {"content": "x"})
    cache.put("bad", {"content": "y"})
    sqlite3.connect(tmp_path / "c.sqlite3").execute(
        "UPDATE responses SET value='{not json' WHERE key='bad'"
    ).connection.commit()
    assert cache.get("bad") is None
    assert cache.get("good") == {"content": "x"}
    assert cache.stats()["entries"] == 1
    assert not list(tmp_path.glob("*.corrupt-*"))


@pytest.mark.parametrize("key", [None, "short", KEY])
def test_mask_key(key):
    from newsdesk.diagnostics import mask_key

    masked = mask_key(key)
    if key is None:
        assert masked == "(none)"
    else:
        assert key not in masked or len(key) < 6
        assert "short" not in masked
