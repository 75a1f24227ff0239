"""The webhook assertion against the scripted server (promptfoo 0.123.1's handleWebhook; side by
side with promptfoo itself: tests/node/evals/test_eval_promptfoo_docs.py, folder webhook)."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest

from newsdesk.evals.assertions import EvalContext, grade, validate
from newsdesk.evals.assertions import webhook as hook
from newsdesk.evals.spec import AssertionSpec
from newsdesk.testing import Reply, ScriptedServer


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch):
    monkeypatch.setattr(hook, "BACKOFF_S", 0.0)


def run(url: str, negate: bool = False, env: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
    spec = AssertionSpec(type="webhook", negate=negate, value=url)
    ctx = EvalContext(
        vars={"city": "Paris"}, prompt="Say Paris", test={"vars": {"city": "Paris"}}, env=env or {}
    )
    return grade("Paris.", spec, ctx)


def test_the_reply_grades_and_the_post_carries_output_and_context():
    with ScriptedServer(Reply(body={"pass": True, "score": 0.75, "reason": "ok"})) as server:
        g = run(server.url + "/hook")
        sent = server.requests[0]
    assert (g.passed, g.score, g.reason) == (True, 0.75, "ok")
    assert sent == {
        "output": "Paris.",
        "context": {"prompt": "Say Paris", "vars": {"city": "Paris"}},
    }


def test_not_webhook_inverts_the_verdict_and_the_score():
    with ScriptedServer(Reply(body={"pass": True, "score": 0.75})) as server:
        g = run(server.url, negate=True)
    assert (g.passed, g.score, g.reason) == (False, 0.25, "Webhook returned true")
    with ScriptedServer(Reply(body={"pass": False})) as server:
        g = run(server.url, negate=True)
    assert (g.passed, g.score, g.reason) == (True, 1.0, "Assertion passed")


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(status=503, body={"pass": True}), "Webhook error: Webhook response status: 503"),
        (Reply(body={"pass": "yes"}), "Invariant failed: Webhook response must be a JSON object"),
        (Reply(body=json.dumps([True])), 'with a boolean "pass" property'),
        (Reply(body="not json"), "Webhook error: "),
    ],
)
def test_a_bad_reply_fails_with_promptfoos_reason(reply, reason):
    with ScriptedServer(reply) as server:
        g = run(server.url)
    assert (g.passed, g.score) == (False, 0.0)
    assert reason in g.reason


def test_a_dead_url_fails_after_four_retries_within_bounded_time():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t0 = time.perf_counter()
    g = run(f"http://127.0.0.1:{port}/hook")
    assert time.perf_counter() - t0 < 5
    assert g.reason == (
        "Webhook error: Request failed after 4 retries: TypeError: fetch failed (Cause: Error: "
        f"connect ECONNREFUSED 127.0.0.1:{port})"
    )


def test_a_slow_hook_times_out_on_every_try_and_the_total_is_bounded():
    with ScriptedServer(Reply(body={"pass": True}, delay=3)) as server:
        t0 = time.perf_counter()
        g = run(server.url, env={"WEBHOOK_TIMEOUT": "100"})
        took = time.perf_counter() - t0
    assert took < 2.5  # five tries of 0.1 s, not five of the server's 3 s
    assert g.reason.endswith("Error: Request timed out after 100 ms")


def test_urls_fetch_refuses_at_once():
    assert hook.url_problem("http://127.0.0.1:6000/x") == (
        "TypeError: fetch failed (Cause: Error: bad port)"
    )
    assert "unknown scheme" in str(hook.url_problem("ftp://host/x"))
    assert "Failed to parse URL from nowhere" in str(hook.url_problem("nowhere"))
    assert hook.url_problem("https://example.com/x") is None


def test_timeout_reads_as_parseint(monkeypatch):
    monkeypatch.delenv("WEBHOOK_TIMEOUT", raising=False)
    assert hook.timeout_ms({}) == 5000
    monkeypatch.setenv("WEBHOOK_TIMEOUT", "700")
    assert hook.timeout_ms({}) == 700
    assert hook.timeout_ms({"WEBHOOK_TIMEOUT": "250ms"}) == 250
    assert hook.timeout_ms({"WEBHOOK_TIMEOUT": "soon"}) == 5000


def test_a_webhook_needs_a_url():
    assert validate(AssertionSpec(type="webhook"), Path.cwd()) == "webhook needs a `value`"
    assert validate(AssertionSpec(type="webhook", value=3), Path.cwd()) is not None
