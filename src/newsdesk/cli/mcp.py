"""`newsdesk mcp`: every task as an MCP tool over stdio."""

from __future__ import annotations

from newsdesk.cli.options import Common, common_options
from newsdesk.cli.runtime import guarded, settings_from
from newsdesk.serve.mcptools import run_stdio


@common_options("model", "base_url", "gguf", "no_cache", "deterministic")
def mcp(*, opts: Common) -> None:
    """Serve every task (ask, summarize, stance, brief, check) as Model Context Protocol tools on
    stdin/stdout, so an assistant can answer from an article with verified citations.

    Each tool takes the article's text and returns the record the command prints with --json.
    Configure it in an MCP client as the command `newsdesk mcp`.
    """

    def run() -> None:

        run_stdio(settings_from(opts))

    guarded(run)
