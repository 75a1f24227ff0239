"""`newsdesk mcp` through the official SDK's own stdio client, on the small model."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from mcp import Client
from mcp.client.stdio import StdioServerParameters

from tests.helpers.paths import EXAMPLE

PASSED = ("NEWSDESK_MODEL", "NEWSDESK_MODEL_DIR", "NEWSDESK_CACHE_DIR", "NEWSDESK_ENV_FILE")


def _params(cache: Path) -> StdioServerParameters:
    env = {k: os.environ[k] for k in PASSED if k in os.environ}
    env["NEWSDESK_CACHE_DIR"] = str(cache)
    return StdioServerParameters(command=sys.executable, args=["-m", "newsdesk", "mcp"], env=env)


async def _session(cache: Path) -> dict[str, Any]:
    article = EXAMPLE.read_text()
    async with Client(_params(cache), read_timeout_seconds=120) as client:
        tools = await client.list_tools()
        ask = await client.call_tool("ask", {"article": article, "question": "Who met in Busan?"})
        empty = await client.call_tool("check", {"article": " ", "draft": "Xi agreed."})
        check = await client.call_tool(
            "check", {"article": article, "draft": "Trump flew to Mars on a rocket."}
        )
    return {"tools": tools, "ask": ask, "empty": empty, "check": check}


def test_mcp_tools_over_stdio(tmp_path: Path) -> None:
    got = asyncio.run(_session(tmp_path))
    tools = {t.name: t for t in got["tools"].tools}
    assert set(tools) == {"ask", "brief", "check", "stance", "summarize"}  # every task
    assert set(tools["stance"].input_schema["properties"]) == {"article", "party", "max_parties"}
    assert tools["ask"].input_schema["required"] == ["article", "question"]
    ask = got["ask"]
    assert not ask.is_error
    record = ask.structured_content
    assert record is not None and record["question"] == "Who met in Busan?"
    assert {"answer", "citations", "supported", "grounding"} <= set(record)
    assert record["citations"] or not record["answerable"]
    for c in record["citations"]:  # every citation is the article's own sentence, verbatim
        assert c["text"] in " ".join(EXAMPLE.read_text().split())
    # bad input: the CLI's one-line message, as a tool error
    assert got["empty"].is_error
    assert "the article is empty" in got["empty"].content[0].text
    # a draft the article does not support is marked so
    verdicts = [s["verdict"] for s in got["check"].structured_content["sentences"]]
    assert verdicts and verdicts[0] != "supported"
