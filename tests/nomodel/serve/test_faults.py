"""Faults: on the scripted endpoint (what the embedded model cannot stage on demand) a model
that fails mid-answer, a client that leaves mid-stream, the queue on an endpoint; and Ctrl-C on
the real command."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx  # the HTTP client openai itself uses
import pytest

from newsdesk.history import History
from newsdesk.llm.cache import default_cache_path
from newsdesk.serve.options import ServeOptions
from newsdesk.serve.server import serve_in_thread
from newsdesk.testing import Reply, ScriptedServer, completion, schema_responder
from tests.helpers.clients import scripted_settings

ARTICLE = (
    "The talks resumed on Monday. Mr Trump said China would buy more soybeans. "
    "One source said Mr Xi agreed only to consider purchases."
)
ASK = {"article": ARTICLE, "question": "What did Mr Xi agree to?"}


@pytest.fixture()
def scripted() -> Iterator[ScriptedServer]:
    with ScriptedServer(responder=schema_responder) as srv:
        yield srv


def test_a_model_that_fails_mid_answer_fails_that_request_only(
    scripted: ScriptedServer, tmp_path: Path
) -> None:
    settings = scripted_settings(scripted, tmp_path, max_retries=0)
    with serve_in_thread(settings, ServeOptions(port=0)) as url:
        scripted.script(Reply(body={"choices": []}, partial=True))  # cut off mid-body
        broken = httpx.post(f"{url}api/ask", json=ASK, timeout=30)
        assert broken.status_code == 502
        assert broken.json()["error"].startswith("endpoint http://127.0.0.1:")
        assert "\n" not in broken.json()["error"]
        scripted.script(Reply(status=500, body={"error": {"message": "model crashed"}}))
        with httpx.stream("POST", f"{url}api/ask/stream", json=ASK, timeout=30) as resp:
            last = [json.loads(x[6:]) for x in resp.iter_lines() if x.startswith("data: ")][-1]
        assert last["event"] == "error" and last["status"] == 502
        assert "answered HTTP 500" in last["error"]
        after = httpx.post(f"{url}api/ask", json=ASK, timeout=30)
        assert after.status_code == 200, after.text
        assert after.json()["question"] == ASK["question"]


def _answer_then_read(request: dict[str, Any]) -> Reply:
    """An ask answer the lexical check passes, so ask makes its second call (the check's
    reading); any other schema gets a generic valid reply."""
    schema = ((request.get("response_format") or {}).get("json_schema") or {}).get("schema", {})
    if "answerable" in schema.get("properties", {}):
        answer = {"answer": "The talks resumed on Monday.", "citations": ["S1"], "answerable": True}
        return Reply(body=completion(json.dumps(answer)))
    return schema_responder(request)


def test_a_client_that_leaves_stops_the_work_and_nothing_is_recorded(tmp_path: Path) -> None:
    # ask makes two calls here (the answer, then the check's reading), each taking 3 s. The
    # client leaves at the first call's event, so the desk has the whole second call to notice.
    # (With one call, leaving raced the end of the work and the answer was sometimes recorded.)
    latency = 3.0
    with ScriptedServer(responder=_answer_then_read, latency=latency) as slow:
        settings = scripted_settings(slow, tmp_path, max_retries=0)
        with serve_in_thread(settings, ServeOptions(port=0)) as url:
            with httpx.stream("POST", f"{url}api/ask/stream", json=ASK) as resp:
                for line in resp.iter_lines():
                    if '"event": "call"' in line:
                        break  # one model call done: leave mid-stream
            sent = len(slow.requests)
            time.sleep(latency + 2.0)  # the call in flight ends; a next one would have started
            # at most the call already in flight when the client left reaches the model
            assert len(slow.requests) <= sent + 1
            history = History(default_cache_path(tmp_path))
            assert [e.task for e in history.entries()] == []
            ok = httpx.post(f"{url}api/ask", json=ASK, timeout=30)
            assert ok.status_code == 200
            assert ok.json()["answer"] == "The talks resumed on Monday."
            # the premise: an ask is two calls, the answer then the check's reading (each made
            # once: the response cache keeps the first)
            names = [r["response_format"]["json_schema"]["name"] for r in slow.requests]
            assert names == ["answer", "verify"]
            assert [e.task for e in history.entries()] == ["ask"]
            history.close()


def test_with_an_endpoint_requests_run_up_to_max_concurrency(tmp_path: Path) -> None:
    with ScriptedServer(responder=schema_responder, latency=0.5) as slow:
        settings = scripted_settings(slow, tmp_path, max_retries=0)
        with serve_in_thread(settings, ServeOptions(port=0, max_concurrency=2)) as url:
            codes: list[int] = []

            def one(n: int) -> None:
                body = {"article": ARTICLE, "question": f"Question {n}?"}
                codes.append(httpx.post(f"{url}api/ask", json=body, timeout=60).status_code)

            threads = [threading.Thread(target=one, args=(n,)) for n in range(5)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
    assert codes == [200] * 5
    assert slow.max_in_flight == 2
