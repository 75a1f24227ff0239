"""What every task's terminal view shares: the usage footer and citation lines (rich markup
escaped: article text is untrusted)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from rich.console import Console

    from newsdesk.chunking import Chunk
    from newsdesk.citations import Citation
    from newsdesk.llm.usage import Usage


def footer(usage: Usage) -> str:
    """What a command's calls used, on one line (stderr)."""
    if not usage.model:  # no call was made: every statement decided by rule, or nothing to ask
        return "no model call"
    spent = usage.cost_usd
    parts = [
        f"model {usage.model}",
        f"{usage.prompt_tokens} tokens in / {usage.completion_tokens} out",
        f"{usage.seconds:.2f} s",
        "cached" if usage.cached else "not cached",
    ]
    if spent is not None:
        parts.append(f"${spent:.4f}")
    return " · ".join(parts)


def citation_line(c: Citation) -> str:
    """ "[S3] (Mr Trump said) Mr Trump said then that ...": the id, who says it, the words."""
    return f"  [bold]\\[{c.id}][/bold] ({escape(c.source.label)}) {escape(c.text)}"


def print_citations(console: Console, citations: list[Citation]) -> None:
    for c in citations:
        console.print(citation_line(c))


def print_chunks(console: Console, chunks: list[Chunk]) -> None:
    table = Table("chunk", "sentences", "tokens", "note")
    for c in chunks:
        span = c.first if c.first == c.last else f"{c.first}–{c.last}"
        note = (
            f"one sentence over the limit, cut into {len(c.parts)} token pieces" if c.split else ""
        )
        table.add_row(c.id, span, str(c.tokens), note)
    console.print(table)
