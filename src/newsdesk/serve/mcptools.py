"""`newsdesk mcp`: every registered task (ask, summarize, stance, brief, check) as an MCP tool
over stdio (the official SDK's MCPServer). Each tool runs through the same Desk as the web app,
so it shares the warm model, the gate, the response cache and the history, and returns the
command's --json record."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from newsdesk import __version__
from newsdesk.config import Settings
from newsdesk.serve.desk import Desk
from newsdesk.serve.events import error_message
from newsdesk.serve.options import ServeOptions
from newsdesk.serve.routes import ROUTES, Route

INSTRUCTIONS = (
    "Answers from a news article the caller supplies as text. Every statement cites the "
    "article's sentences (S1..Sn) and is checked against them: trust `supported`, `grounding` "
    "and `verdict`, and quote the cited sentences rather than the model's words."
)


def _tool(desk: Desk, route: Route) -> Callable[..., Awaitable[dict[str, Any]]]:
    """`route` as a tool: its parameters are the fields of the task's request, so the SDK
    describes the same inputs as the HTTP API and the command."""
    fields = route.request.model_fields
    parameters = [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            annotation=field.annotation,
            default=inspect.Parameter.empty if field.is_required() else field.default,
        )
        for name, field in fields.items()
    ]

    async def tool(**values: Any) -> dict[str, Any]:
        try:
            req = route.request(**values)
            return await desk.run(route, req, lambda e: None, threading.Event())
        except Exception as exc:  # the CLI's one-line message, for the assistant to read
            raise ToolError(error_message(exc)) from None

    tool.__name__ = route.name
    tool.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        parameters, return_annotation=dict[str, Any]
    )
    tool.__annotations__ = {p.name: p.annotation for p in parameters}
    tool.__annotations__["return"] = dict[str, Any]
    return tool


def build_server(settings: Settings) -> MCPServer:
    """One tool per registered task, described by the task's own summary."""
    desk = Desk(settings, ServeOptions())
    server: MCPServer = MCPServer(name="newsdesk", version=__version__, instructions=INSTRUCTIONS)
    for route in ROUTES.values():
        server.add_tool(_tool(desk, route), name=route.name, description=route.summary)
    return server


def run_stdio(settings: Settings) -> None:
    build_server(settings).run("stdio")
