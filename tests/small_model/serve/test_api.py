"""The JSON API and its events against a real uvicorn on 127.0.0.1, on the small model."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import httpx2 as httpx  # the HTTP client openai itself uses
from typer.testing import CliRunner

from newsdesk.cli.app import app
from tests.helpers.paths import EXAMPLE

ARTICLE = EXAMPLE.read_text()
NORMALISED = " ".join(ARTICLE.split())
# a short article where the test is about plumbing, not reading: the small model reads it fast
SHORT = (
    "The US and China will relaunch trade talks this week. Mr Trump said China had agreed to "
    "buy more farm goods. One of the sources said Mr Xi agreed only to consider purchases. "
    "Beijing denied that it had made any promise."
)


def events(url: str, task: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    with httpx.stream("POST", f"{url}api/{task}/stream", json=body, timeout=300) as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        for line in resp.iter_lines():
            if line.startswith("data: "):
                out.append(json.loads(line[6:]))
    return out


def test_ask_is_the_commands_json_record(desk_url: str) -> None:
    resp = httpx.post(
        f"{desk_url}api/ask", json={"article": ARTICLE, "question": "Who met?"}, timeout=300
    )
    assert resp.status_code == 200, resp.text
    record = resp.json()
    cli = CliRunner().invoke(app, ["ask", "--json", str(EXAMPLE), "Who met?"])
    assert cli.exit_code == 0, cli.output
    assert set(record) == set(json.loads(cli.stdout.splitlines()[-1]))
    assert record["question"] == "Who met?"
    assert record["citations"] or not record["answerable"]
    for c in record["citations"]:
        assert c["text"] in NORMALISED and "label" in c["source"]


def test_events_then_a_follow_up_reuses_the_read_article(desk_url: str) -> None:
    article = ARTICLE.replace("two-month hiatus", "two-month pause")  # new to this server
    first = events(desk_url, "ask", {"article": article, "question": "When do talks resume?"})
    names = [e["event"] for e in first]
    assert names[0] == "start" and names[-1] == "done"
    assert names.index("reading") < names.index("call") < names.index("done")
    assert first[names.index("reading")]["known"] is False
    second = events(desk_url, "ask", {"article": article, "question": "Who is Mr Xi?"})
    assert next(e for e in second if e["event"] == "reading")["known"] is True
    call = next(e for e in second if e["event"] == "call")
    # the article is not read again: llama.cpp reuses the slot's prefix
    assert call["cached_prompt_tokens"] > 0.8 * call["prompt_tokens"] - 60
    assert second[-1]["record"]["question"] == "Who is Mr Xi?"


def test_every_task_answers(desk_url: str) -> None:
    expected = {
        "summarize": ({"length": "short"}, {"lines", "length"}),
        "check": ({"draft": "Trump flew to Mars."}, {"sentences", "score"}),
        "stance": ({"max_parties": 1}, {"parties", "central_issue"}),
    }
    for task, (fields, keys) in expected.items():
        resp = httpx.post(f"{desk_url}api/{task}", json={"article": SHORT, **fields}, timeout=300)
        assert resp.status_code == 200, (task, resp.text)
        assert keys <= set(resp.json()), task
    failed = httpx.post(
        f"{desk_url}api/check", json={"article": SHORT, "draft": "Trump flew to Mars."}
    ).json()
    assert failed["sentences"][0]["verdict"] != "supported"


def test_errors_are_the_clis_one_line_messages(desk_url: str) -> None:
    empty = httpx.post(f"{desk_url}api/ask", json={"article": "  \n", "question": "Who?"})
    assert empty.status_code == 400
    assert empty.json() == {"error": "article: the article is empty"}
    missing = httpx.post(f"{desk_url}api/ask", json={"article": ARTICLE})
    assert missing.status_code == 422 and missing.json()["error"] == "question: Field required"
    streamed = httpx.post(f"{desk_url}api/check/stream", json={"article": " ", "draft": "A."})
    assert streamed.status_code == 400 and streamed.json()["error"].endswith("article is empty")
    binary = httpx.post(f"{desk_url}api/summarize", json={"article": "\x00\x01" * 50})
    assert binary.status_code == 400 and "binary" in binary.json()["error"]
    doc = httpx.get(f"{desk_url}openapi.json").json()
    for task in ("ask", "summarize", "stance", "brief", "check"):
        assert f"/api/{task}" in doc["paths"] and f"/api/{task}/stream" in doc["paths"]


def test_concurrent_requests_each_get_their_own_answer(desk_url: str) -> None:
    questions = ["Who denied it?", "What will relaunch?", "Who is Mr Xi?"]
    answers: dict[str, Any] = {}

    def one(q: str) -> None:
        answers[q] = httpx.post(
            f"{desk_url}api/ask", json={"article": SHORT, "question": q}, timeout=300
        )

    threads = [threading.Thread(target=one, args=(q,)) for q in questions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for q in questions:
        assert answers[q].status_code == 200 and answers[q].json()["question"] == q


def test_a_terminal_answer_is_in_the_pages_history(desk_url: str, tmp_path: Path) -> None:
    question = "What did the sources say about purchases?"
    article = tmp_path / "short.txt"
    article.write_text(SHORT)
    cli = CliRunner().invoke(app, ["ask", str(article), question])
    assert cli.exit_code == 0, cli.output
    entries = httpx.get(f"{desk_url}api/history").json()["entries"]
    mine = [e for e in entries if e["input"].get("question") == question]
    assert mine and mine[0]["task"] == "ask"
    entry = httpx.get(f"{desk_url}api/history/{mine[0]['id']}").json()
    assert entry["article"] == SHORT and entry["record"]["question"] == question
