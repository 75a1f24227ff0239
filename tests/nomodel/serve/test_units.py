"""The pure parts of serve: the FIFO gate, the Host/Origin/token rules, events, statuses."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from typer.testing import CliRunner

from newsdesk.cli.app import app
from newsdesk.errors import InputError, LLMError, ModelOutputError
from newsdesk.history import History
from newsdesk.llm.cache import default_cache_path
from newsdesk.serve.events import error_event, sse
from newsdesk.serve.gate import Gate
from newsdesk.serve.jobs import Stopped
from newsdesk.serve.options import ServeOptions, is_loopback
from newsdesk.serve.security import host_name, host_ok, origin_ok, token_ok


def test_the_gate_serves_in_arrival_order_and_skips_those_who_left() -> None:
    async def scenario() -> tuple[list[int], int]:
        gate = Gate(1)
        order: list[int] = []

        async def one(n: int) -> None:
            async with gate.slot():
                order.append(n)
                await asyncio.sleep(0.01)

        first = asyncio.create_task(one(0))
        await asyncio.sleep(0)
        tasks = [asyncio.create_task(one(n)) for n in range(1, 6)]
        await asyncio.sleep(0)
        assert gate.waiting == 5
        tasks[1].cancel()  # number 2 leaves the queue
        await asyncio.gather(first, *tasks, return_exceptions=True)
        return order, gate.running

    order, running = asyncio.run(scenario())
    assert order == [0, 1, 3, 4, 5]
    assert running == 0


def test_the_gate_lets_limit_run_at_once() -> None:
    async def scenario() -> int:
        gate = Gate(3)
        peak = 0

        async def one() -> None:
            nonlocal peak
            async with gate.slot():
                peak = max(peak, gate.running)
                await asyncio.sleep(0.01)

        await asyncio.gather(*(one() for _ in range(8)))
        return peak

    assert asyncio.run(scenario()) == 3


def test_host_and_origin_rules() -> None:
    allowed = ServeOptions().allowed_hosts()
    assert host_name("[::1]:8765") == "::1" and host_name("LocalHost:1") == "localhost"
    assert host_ok("127.0.0.1:8765", allowed) and host_ok("localhost", allowed)
    assert not host_ok("attacker.example:8765", allowed) and not host_ok(None, allowed)
    assert origin_ok(None, "127.0.0.1:8765", allowed)
    assert origin_ok("http://127.0.0.1:8765", "127.0.0.1:8765", allowed)
    assert not origin_ok("http://127.0.0.1:9999", "127.0.0.1:8765", allowed)
    assert not origin_ok("http://attacker.example", "127.0.0.1:8765", allowed)
    assert not origin_ok("null", "127.0.0.1:8765", allowed)
    assert token_ok(None, None) and token_ok("a", "a")
    assert not token_ok(None, "a") and not token_ok("b", "a")
    assert is_loopback("127.0.0.2") and is_loopback("::1") and not is_loopback("0.0.0.0")
    assert "10.0.0.5" in ServeOptions(host="10.0.0.5", token="t").allowed_hosts()


def test_events_and_statuses() -> None:
    raw = sse({"event": "call", "n": 1}).decode()
    assert raw.startswith("event: call\ndata: ") and raw.endswith("\n\n")
    assert json.loads(raw.split("data: ", 1)[1]) == {"event": "call", "n": 1}
    assert error_event(InputError("a: the article is empty"))["status"] == 400
    assert error_event(ModelOutputError("bad output"))["status"] == 502
    assert error_event(LLMError("endpoint x is unreachable"))["status"] == 502
    assert error_event(Stopped("gone"))["status"] == 499
    bug = error_event(ValueError("x\ny"))
    assert bug["status"] == 500 and bug["error"] == "internal error: ValueError: x y"


def test_history_lists_newest_first_and_cache_clear_empties_it(tmp_path: Path) -> None:
    history = History(default_cache_path(tmp_path))
    for q in ("First?", "Second?"):
        history.add("ask", "m", "An article. Two.", "An article.", {"question": q}, {"q": q})
    entries = history.entries()
    assert [e.input["question"] for e in entries] == ["Second?", "First?"]
    got = history.get(entries[0].id)
    assert got is not None and got["article"] == "An article. Two."
    assert got["record"] == {"q": "Second?"}
    history.close()
    result = CliRunner().invoke(
        app, ["cache", "clear", "--yes"], env={"NEWSDESK_CACHE_DIR": str(tmp_path)}
    )
    assert result.exit_code == 0 and "(2 past answers)" in result.stdout
    assert History(default_cache_path(tmp_path)).entries() == []
