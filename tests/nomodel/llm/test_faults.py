"""The endpoint fault matrix, against the scripted server (real HTTP, loopback).

llm/test_llm_client.py already covers 401, 404, unreachable, 429 with Retry-After, invalid JSON
re-asked once and truncation not cached; this file completes the matrix: 429 without
Retry-After, 500, 503, a dropped connection, a half-sent body, slower than the timeout, a body
that is not JSON, JSON that does not match the schema, no choices, and the API key never
appearing in any output, log, cache file or error.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsdesk.config import Settings
from newsdesk.errors import LLMError, ModelOutputError
from newsdesk.llm.client import LLMClient
from newsdesk.prompts import Prompt
from newsdesk.testing import (
    VERDICT_SCHEMA,
    Reply,
    ScriptedServer,
    Verdict,
    completion,
    schema_responder,
)
from tests.helpers.clients import scripted_client

KEY = "sk-FAKEKEY-7f3a9c1e5b2d8h4j6k0m"  # distinctive: grep for it everywhere
HI = [{"role": "user", "content": "hi"}]
BIN = Path(sys.executable).parent


def client_for(srv: ScriptedServer, tmp_path: Path, **kw: object) -> tuple[LLMClient, list[float]]:
    return scripted_client(srv, tmp_path, api_key=KEY, **kw)


def one_line(msg: str) -> str:
    assert "\n" not in msg and "Traceback" not in msg
    assert KEY not in msg and KEY[-6:] not in msg
    return msg


def entries(client: LLMClient) -> int:
    assert client.cache is not None
    return int(client.cache.stats()["entries"])


ERROR = {"error": {"message": "temporarily unavailable"}}


# ------------------------------------------------------------------ retried faults


def test_429_without_retry_after_backs_off_exponentially_with_jitter(tmp_path):
    with ScriptedServer() as srv:
        srv.script(*[Reply(429, ERROR)] * 3, Reply(body=completion("fine")))
        client, sleeps = client_for(srv, tmp_path, backoff=0.1)
        out = client.chat(HI)
    assert out.content == "fine" and out.usage.tries == 4
    assert len(sleeps) == 3
    for k, s in enumerate(sleeps):  # base * 2^k, jittered by a factor in [0.5, 1.5)
        assert 0.05 * 2**k <= s < 0.15 * 2**k
    assert entries(client) == 1  # the eventual good answer is cached


def test_jitter_spreads_the_waits(tmp_path):
    client, sleeps = client_for(ScriptedServer(), tmp_path, backoff=1.0)
    for _ in range(20):
        client._backoff(1, None)
    assert len({round(s, 6) for s in sleeps}) > 10
    assert all(0.5 <= s < 1.5 for s in sleeps)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_gives_up_after_bounded_tries_with_one_line_error(tmp_path, status):
    with ScriptedServer(Reply(status, ERROR)) as srv:
        client, sleeps = client_for(srv, tmp_path, max_retries=2)
        with pytest.raises(LLMError) as err:
            client.chat(HI)
    msg = one_line(str(err.value))
    assert msg.startswith(f"endpoint {srv.url} answered HTTP {status} (gave up after 3 tries)")
    assert len(srv.requests) == 3 and len(sleeps) == 2
    assert entries(client) == 0


def test_503_with_retry_after_is_honoured(tmp_path):
    with ScriptedServer() as srv:
        srv.script(Reply(503, ERROR, headers={"retry-after": "1.5"}), Reply(body=completion("ok")))
        client, sleeps = client_for(srv, tmp_path)
        assert client.chat(HI).content == "ok"
    assert sleeps == [1.5]


def test_retry_after_is_capped(tmp_path):
    with ScriptedServer() as srv:
        srv.script(
            Reply(429, ERROR, headers={"retry-after": "86400"}), Reply(body=completion("ok"))
        )
        client, sleeps = client_for(srv, tmp_path)
        client.chat(HI)
    assert sleeps == [60.0]  # a server cannot park a batch for a day


def test_real_sleep_between_tries(tmp_path):
    """Without an injected sleep the client really waits (Retry-After in ms, here 300 ms)."""
    with ScriptedServer() as srv:
        srv.script(
            Reply(429, ERROR, headers={"retry-after-ms": "300"}), Reply(body=completion("ok"))
        )
        settings = Settings(base_url=srv.url, api_key=KEY, model="m", use_cache=False)
        start = time.perf_counter()
        LLMClient(settings).chat(HI)
        elapsed = time.perf_counter() - start
    assert len(srv.times) == 2 and srv.times[1] - srv.times[0] >= 0.3
    assert elapsed < 5


def test_dropped_connection_is_retried_then_succeeds(tmp_path):
    with ScriptedServer() as srv:
        srv.script(Reply(drop=True), Reply(body=completion("ok")))
        client, sleeps = client_for(srv, tmp_path)
        out = client.chat(HI)
    assert out.content == "ok" and out.usage.tries == 2 and len(sleeps) == 1


@pytest.mark.parametrize("reply", [Reply(drop=True), Reply(body=completion("x"), partial=True)])
def test_dropped_connection_gives_up_naming_the_cause(tmp_path, reply):
    with ScriptedServer(reply) as srv:
        client, _ = client_for(srv, tmp_path, max_retries=1)
        with pytest.raises(LLMError) as err:
            client.chat(HI)
    assert one_line(str(err.value)) == (
        f"endpoint {srv.url} dropped the connection (gave up after 2 tries)"
    )
    assert entries(client) == 0


def test_slower_than_timeout_gives_up_in_bounded_time(tmp_path):
    with ScriptedServer(Reply(body=completion("late"), delay=2.0)) as srv:
        client, _ = client_for(srv, tmp_path, max_retries=1, timeout=0.3)
        start = time.perf_counter()
        with pytest.raises(LLMError) as err:
            client.chat(HI)
        elapsed = time.perf_counter() - start
    assert one_line(str(err.value)) == f"endpoint {srv.url} timed out (gave up after 2 tries)"
    assert elapsed < 1.5  # two tries of 0.3 s, not two of 2 s
    assert entries(client) == 0


def test_slow_then_fast_succeeds(tmp_path):
    with ScriptedServer() as srv:
        srv.script(Reply(body=completion("late"), delay=1.0), Reply(body=completion("ok")))
        client, _ = client_for(srv, tmp_path, timeout=0.3)
        assert client.chat(HI).content == "ok"


@pytest.mark.parametrize(
    ("reply", "cause"),
    [
        (Reply(body="<html><body>502 Bad Gateway</body></html>"), "a body that is not JSON"),
        (Reply(body={**completion("x"), "choices": []}), "no choices"),
        (Reply(body={"object": "error", "message": "overloaded"}), "no choices"),
    ],
)
def test_malformed_200_is_retried_then_named(tmp_path, reply, cause):
    with ScriptedServer(reply) as srv:
        client, sleeps = client_for(srv, tmp_path, max_retries=2)
        with pytest.raises(ModelOutputError) as err:
            client.structured(Prompt("result", HI, Verdict, VERDICT_SCHEMA))
    assert (
        one_line(str(err.value)) == f"endpoint {srv.url} returned {cause} (gave up after 3 tries)"
    )
    assert len(srv.requests) == 3 and len(sleeps) == 2
    assert entries(client) == 0


def test_malformed_200_then_good_answer(tmp_path):
    with ScriptedServer() as srv:
        srv.script(Reply(body="not json"), Reply(body=completion('{"ok": true}')))
        client, _ = client_for(srv, tmp_path)
        assert client.structured(Prompt("result", HI, Verdict, VERDICT_SCHEMA)).ok is True
    assert entries(client) == 1


# ------------------------------------------------------------------ answers that are wrong


def test_schema_violation_is_reasked_once_with_the_problem(tmp_path):
    with ScriptedServer() as srv:
        srv.script(
            Reply(body=completion('{"ok": "maybe"}')), Reply(body=completion('{"ok": false}'))
        )
        client, _ = client_for(srv, tmp_path)
        assert client.structured(Prompt("result", HI, Verdict, VERDICT_SCHEMA)).ok is False
        assert len(srv.requests) == 2
        reask = srv.requests[1]["messages"]
        assert reask[-2] == {"role": "assistant", "content": '{"ok": "maybe"}'}
        assert "ok" in reask[-1]["content"]  # names the failing field
        assert entries(client) == 1
        # the valid answer is cached under the original question: served without a request
        srv.default = Reply(500, ERROR)
        assert client.structured(Prompt("result", HI, Verdict, VERDICT_SCHEMA)).ok is False
    assert len(srv.requests) == 2


def test_schema_violation_twice_fails_and_caches_nothing(tmp_path):
    with ScriptedServer(Reply(body=completion('{"verdict": 1}'))) as srv:
        client, _ = client_for(srv, tmp_path)
        with pytest.raises(ModelOutputError) as err:
            client.structured(Prompt("result", HI, Verdict, VERDICT_SCHEMA))
    assert "invalid output twice" in one_line(str(err.value))
    assert len(srv.requests) == 2  # exactly one re-ask
    assert entries(client) == 0


def test_check_failure_is_reasked_once(tmp_path):
    with ScriptedServer() as srv:
        srv.script(Reply(body=completion('{"ok": false}')), Reply(body=completion('{"ok": true}')))
        client, _ = client_for(srv, tmp_path)
        out = client.structured(
            Prompt("result", HI, Verdict, VERDICT_SCHEMA),
            check=lambda v: None if v.ok else "ok must be true",
        )
    assert out.ok is True
    assert "ok must be true" in srv.requests[1]["messages"][-1]["content"]


def test_truncated_plain_chat_is_not_cached(tmp_path):
    with ScriptedServer(Reply(body=completion("The answer is", finish_reason="length"))) as srv:
        client, _ = client_for(srv, tmp_path)
        out = client.chat(HI)
        client.chat(HI)
    assert out.finish_reason == "length"
    assert len(srv.requests) == 2  # asked again: the cut answer was not served from cache
    assert entries(client) == 0


# ------------------------------------------------------------------ the CLI, end to end


def cli_env(srv: ScriptedServer, tmp_path: Path) -> dict[str, str]:
    return {
        "OPENAI_BASE_URL": srv.url,
        "OPENAI_API_KEY": KEY,
        "NEWSDESK_MODEL": "scripted",
        "NEWSDESK_CACHE_DIR": str(tmp_path / "cache"),
        "NEWSDESK_BACKOFF": "0.01",
        "NEWSDESK_MAX_RETRIES": "2",
        "NEWSDESK_TIMEOUT": "2",
    }


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(500, {"error": {"message": f"upstream said {KEY}"}}), "answered HTTP 500"),
        (Reply(429, ERROR), "answered HTTP 429"),
        (Reply(drop=True), "dropped the connection"),
        (Reply(body="<html>oops</html>"), "a body that is not JSON"),
        (Reply(body=completion('{"nope": 1}')), "invalid output twice"),
        (Reply(body=completion('{"citations": [', finish_reason="length")), "cut off"),
        (Reply(401, {"error": {"message": f"Incorrect API key provided: {KEY}"}}), "401"),
    ],
)
def test_cli_fault_is_one_line_nonzero_and_key_free(
    tmp_path, monkeypatch, example_path, reply, expected
):
    from newsdesk.cli.app import app

    with ScriptedServer(reply) as srv:
        for k, v in cli_env(srv, tmp_path).items():
            monkeypatch.setenv(k, v)
        result = CliRunner().invoke(app, ["ask", str(example_path), "Who?", "--json"])
    assert result.exit_code == 3, result.output
    assert result.stdout == ""  # no partial answer printed
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert expected in lines[0]
    assert KEY not in result.output and KEY[-6:] not in result.output
    assert "Traceback" not in result.output


def test_api_key_never_reaches_output_cache_or_logs(tmp_path, example_path):
    """A real subprocess with debug-ish settings: grep stdout, stderr and the cache files."""
    with ScriptedServer(responder=schema_responder) as srv:
        env = {**os.environ, **cli_env(srv, tmp_path)}
        outputs = []
        for args in (
            ["ask", str(example_path), "Who met?", "--json"],
            ["ask", str(example_path), "Who met?"],  # cache hit
            ["ask", str(example_path), "Who?", "--dry-run"],
            ["doctor"],
            ["doctor", "--json"],
            ["cache", "stats", "--json"],
        ):
            proc = subprocess.run(
                [str(BIN / "newsdesk"), *args], env=env, capture_output=True, timeout=60
            )
            assert proc.returncode == 0, proc.stderr
            outputs.append(proc.stdout + proc.stderr)
        srv.default = Reply(403, {"error": {"message": f"key {KEY} lacks scope"}})
        srv.responder = None
        proc = subprocess.run(
            [str(BIN / "newsdesk"), "ask", str(example_path), "Why?", "--no-cache"],
            env=env,
            capture_output=True,
            timeout=60,
        )
        assert proc.returncode == 3
        outputs.append(proc.stdout + proc.stderr)
    # the key did travel, as the Authorization header, and nowhere in a body
    auth = [{k.lower(): v for k, v in h.items()}.get("authorization") for h in srv.headers]
    assert auth and all(a == f"Bearer {KEY}" for a in auth)
    assert all(KEY not in json.dumps(r) for r in srv.requests)
    cache_files = list((tmp_path / "cache").iterdir())
    assert cache_files
    blobs = [*outputs, *(p.read_bytes() for p in cache_files if p.is_file())]
    for blob in blobs:
        assert KEY.encode() not in blob and KEY[-6:].encode() not in blob
    rows = (
        sqlite3.connect(tmp_path / "cache" / "responses.sqlite3")
        .execute("SELECT key, value FROM responses")
        .fetchall()
    )
    assert rows
    for key, value in rows:
        assert KEY not in key and KEY not in value
    assert b"ends \xe2\x80\xa6" in outputs[3]  # doctor shows the key masked, not absent


# ------------------------------------------------------------------ the cache under processes


def test_eight_processes_asking_at_once_lose_nothing(tmp_path, example_path):
    """8 `newsdesk ask` processes, 3 questions each, started together on one cache file: every
    answer is stored (24 entries, intact), and a second round is served wholly from the cache."""
    questions = [[f"Question {p}-{q}: who met?" for q in range(3)] for p in range(8)]
    with ScriptedServer(responder=schema_responder, latency=0.05) as srv:
        env = {**os.environ, **cli_env(srv, tmp_path)}

        procs = [
            subprocess.Popen(
                [str(BIN / "newsdesk"), "ask", str(example_path), *qs, "--json"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for qs in questions
        ]
        outs = [p.communicate(timeout=120) for p in procs]
        assert all(p.returncode == 0 for p in procs), [e for _, e in outs]
        answers = [json.loads(line) for out, _ in outs for line in out.splitlines()]
        assert len(answers) == 24 and all(a["citations"] for a in answers)
        assert not any(b"warning" in e for _, e in outs)
        assert len(srv.requests) == 24
        # one more process asks all 24 again: every answer comes from the cache
        again = subprocess.run(
            [
                str(BIN / "newsdesk"),
                "ask",
                str(example_path),
                *(q for qs in questions for q in qs),
                "--json",
            ],
            env=env,
            capture_output=True,
            timeout=120,
        )
        assert again.returncode == 0, again.stderr
        assert [json.loads(line)["usage"]["cached"] for line in again.stdout.splitlines()] == [
            True
        ] * 24
        assert len(srv.requests) == 24
    assert srv.max_in_flight >= 2  # the processes really overlapped
    db = tmp_path / "cache" / "responses.sqlite3"
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    rows = conn.execute("SELECT value FROM responses").fetchall()
    assert len(rows) == 24
    for (value,) in rows:
        assert json.loads(json.loads(value)["content"])["citations"]
    assert not list((tmp_path / "cache").glob("*.corrupt-*"))
