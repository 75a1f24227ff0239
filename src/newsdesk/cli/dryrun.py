"""--dry-run: show what would be sent, with token counts and estimated cost."""

from __future__ import annotations

import typer

from newsdesk.config import Settings
from newsdesk.llm.client import Message
from newsdesk.llm.usage import estimate_cost


def print_prompt(messages: list[Message], tokens: int, settings: Settings, max_output: int) -> None:
    for m in messages:
        typer.echo(f"--- {m['role']} ---")
        typer.echo(m["content"])
    cost = estimate_cost(settings.model_name, tokens, max_output)
    price = f", at most ${cost:.4f}" if cost is not None else ""
    typer.echo(
        f"--- {tokens} prompt tokens (tiktoken), up to {max_output} output tokens, "
        f"model {settings.model_name} at {settings.endpoint_label}{price} ---"
    )
