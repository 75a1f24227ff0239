"""The LLM layer against the real embedded server, and against a scripted server for faults."""

from __future__ import annotations

import json

import pytest

from newsdesk.config import Settings
from newsdesk.errors import LLMError, ModelOutputError
from newsdesk.llm.client import LLMClient, retry_after_seconds
from newsdesk.prompts import Prompt
from newsdesk.testing import VERDICT_SCHEMA, Reply, ScriptedServer, Verdict, completion
from tests.helpers.clients import scripted_client as shared_scripted_client

SECRET = "sk-test-abcdefghijklmnopqrstuvwxyz0123"


def scripted_client(server: ScriptedServer, tmp_path, **kw) -> tuple[LLMClient, list[float]]:
    return shared_scripted_client(server, tmp_path, api_key=SECRET, **kw)


# ------------------------------------------------------------------ embedded model, real HTTP


# ------------------------------------------------------------------ faults, scripted server


def test_401_is_one_line_and_never_shows_the_key(tmp_path):
    with ScriptedServer() as srv:
        srv.script(Reply(401, {"error": {"message": f"Incorrect API key provided: {SECRET}"}}))
        client, _ = scripted_client(srv, tmp_path)
        with pytest.raises(LLMError) as err:
            client.chat([{"role": "user", "content": "hi"}])
    msg = str(err.value)
    assert "API key" in msg and "401" in msg
    assert SECRET not in msg and SECRET[-6:] not in msg
    assert "\n" not in msg
    assert len(srv.requests) == 1  # no retry on a bad key


def test_404_names_the_model(tmp_path):
    with ScriptedServer() as srv:
        srv.script(Reply(404, {"error": {"message": "model not found"}}))
        client, _ = scripted_client(srv, tmp_path)
        with pytest.raises(LLMError, match="no model 'scripted'"):
            client.chat([{"role": "user", "content": "hi"}])


def test_unreachable_endpoint_gives_up_with_cause(tmp_path):
    settings = Settings(
        base_url="http://127.0.0.1:9/v1", api_key="x", model="m", max_retries=2, backoff=0.0
    )
    client = LLMClient(settings, sleep=lambda s: None)
    with pytest.raises(
        LLMError, match=r"127\.0\.0\.1:9/v1 is unreachable \(gave up after 3 tries\)"
    ):
        client.chat([{"role": "user", "content": "hi"}], use_cache=False)


def test_429_honours_retry_after_then_succeeds(tmp_path):
    with ScriptedServer() as srv:
        srv.script(
            Reply(429, {"error": {"message": "slow down"}}, headers={"retry-after": "2"}),
            Reply(503, {"error": {"message": "busy"}}),
            Reply(body=completion("fine")),
        )
        client, sleeps = scripted_client(srv, tmp_path)
        out = client.chat([{"role": "user", "content": "hi"}], use_cache=False)
    assert out.content == "fine"
    assert out.usage.tries == 3
    assert sleeps[0] == 2.0  # the server's Retry-After
    assert 0 < sleeps[1] < 0.1  # our own backoff (base 0.01 s, doubled, jittered)


def test_invalid_json_is_reasked_once_then_accepted(tmp_path):
    with ScriptedServer() as srv:
        srv.script(
            Reply(body=completion("not json at all")), Reply(body=completion('{"ok": true}'))
        )
        client, _ = scripted_client(srv, tmp_path)
        out = client.structured(
            Prompt("result", [{"role": "user", "content": "q"}], Verdict, VERDICT_SCHEMA)
        )
    assert out.ok is True
    assert len(srv.requests) == 2
    reask = srv.requests[1]["messages"]
    assert reask[-2]["content"] == "not json at all"
    assert "invalid" in reask[-1]["content"]


def test_truncated_answer_is_never_cached(tmp_path):
    with ScriptedServer() as srv:
        srv.default = Reply(body=completion('{"ok": tr', finish_reason="length"))
        client, _ = scripted_client(srv, tmp_path)
        with pytest.raises(ModelOutputError, match="invalid output twice"):
            client.structured(
                Prompt("result", [{"role": "user", "content": "q"}], Verdict, VERDICT_SCHEMA)
            )
        assert client.cache is not None and client.cache.stats()["entries"] == 0
        srv.default = Reply(body=completion('{"ok": false}'))
        assert (
            client.structured(
                Prompt("result", [{"role": "user", "content": "q"}], Verdict, VERDICT_SCHEMA)
            ).ok
            is False
        )


def test_requests_use_json_schema_response_format(tmp_path):
    with ScriptedServer() as srv:
        srv.default = Reply(body=completion('{"ok": true}'))
        client, _ = scripted_client(srv, tmp_path)
        client.structured(
            Prompt("result", [{"role": "user", "content": "q"}], Verdict, VERDICT_SCHEMA)
        )
    fmt = srv.requests[0]["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["schema"] == VERDICT_SCHEMA
    assert {k.lower(): v for k, v in srv.headers[0].items()}["authorization"] == f"Bearer {SECRET}"
    assert SECRET not in json.dumps(srv.requests[0])


def test_retry_after_parsing():
    assert retry_after_seconds({"retry-after": "3"}) == 3.0
    assert retry_after_seconds({"retry-after-ms": "250"}) == 0.25
    assert retry_after_seconds({"retry-after": "9999"}) == 60.0
    assert retry_after_seconds({}) is None
    assert retry_after_seconds({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
