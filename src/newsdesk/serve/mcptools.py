"""`newsdesk mcp`: ask, check, stance and summarize as MCP tools over stdio (the official SDK's
MCPServer). Each tool runs through the same Desk as the web app, so it shares the warm model,
the gate, the response cache and the history, and returns the command's --json record."""

from __future__ import annotations

import threading
from typing import Any, Literal

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from newsdesk import __version__
from newsdesk.config import Settings
from newsdesk.serve.desk import Desk
from newsdesk.serve.events import error_message
from newsdesk.serve.options import ServeOptions
from newsdesk.serve.routes import ROUTES

INSTRUCTIONS = (
    "Answers from a news article the caller supplies as text. Every statement cites the "
    "article's sentences (S1..Sn) and is checked against them: trust `supported`, `grounding` "
    "and `verdict`, and quote the cited sentences rather than the model's words."
)


def build_server(settings: Settings) -> MCPServer:
    desk = Desk(settings, ServeOptions())
    server: MCPServer = MCPServer(name="newsdesk", version=__version__, instructions=INSTRUCTIONS)

    async def run(name: str, **fields: Any) -> dict[str, Any]:
        try:
            route = ROUTES[name]
            req = route.request(**fields)
            return await desk.run(route, req, lambda e: None, threading.Event())
        except Exception as exc:  # the CLI's one-line message, for the assistant to read
            raise ToolError(error_message(exc)) from None

    @server.tool(description="Answer a question about the article, citing its sentences.")
    async def ask(article: str, question: str) -> dict[str, Any]:
        return await run("ask", article=article, question=question)

    @server.tool(
        description="Check each sentence of a draft against the article: supported, "
        "unsupported, contradicted or attributed elsewhere, with the deciding sentences."
    )
    async def check(article: str, draft: str) -> dict[str, Any]:
        return await run("check", article=article, draft=draft)

    @server.tool(description="Every party in the article: position, stance, its own words.")
    async def stance(
        article: str, party: str | None = None, max_parties: int = 6
    ) -> dict[str, Any]:
        return await run("stance", article=article, party=party, max_parties=max_parties)

    @server.tool(description="Summarise the article; every line cites its sentences.")
    async def summarize(
        article: str, length: Literal["headline", "short", "bullets", "long"] = "bullets"
    ) -> dict[str, Any]:
        return await run("summarize", article=article, length=length)

    return server


def run_stdio(settings: Settings) -> None:
    build_server(settings).run("stdio")
