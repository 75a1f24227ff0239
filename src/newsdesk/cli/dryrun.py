"""--dry-run: show what would be sent, with token counts and estimated cost."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import typer

from newsdesk.config import Settings
from newsdesk.llm.usage import estimate_cost
from newsdesk.prompts import Message


class Planned(Protocol):
    """A prompt a task would send: its messages, their token count, its output limit."""

    @property
    def messages(self) -> list[Message]: ...
    @property
    def tokens(self) -> int: ...
    @property
    def max_tokens(self) -> int: ...


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


def print_prompts(prompts: Iterable[Planned], settings: Settings) -> None:
    for p in prompts:
        print_prompt(p.messages, p.tokens, settings, max_output=p.max_tokens)
