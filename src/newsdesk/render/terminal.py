"""Terminal rendering of results (rich markup escaped: article text is untrusted)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape

if TYPE_CHECKING:
    from rich.console import Console

    from newsdesk.chunking import Chunk
    from newsdesk.citations import Citation
    from newsdesk.llm.usage import Usage
    from newsdesk.tasks.ask import AskResult


def footer(usage: Usage) -> str:
    cost = usage.cost
    parts = [
        f"model {usage.model}",
        f"{usage.prompt_tokens} tokens in / {usage.completion_tokens} out",
        f"{usage.seconds:.2f} s",
        "cached" if usage.cached else "not cached",
    ]
    if cost is not None:
        parts.append(f"${cost:.4f}")
    return " · ".join(parts)


def citation_line(c: Citation) -> str:
    """ "[S3] (Mr Trump said) Mr Trump said then that ...": the id, who says it, the words."""
    return f"  [bold]\\[{c.id}][/bold] ({escape(c.source.label)}) {escape(c.text)}"


def print_citations(console: Console, citations: list[Citation]) -> None:
    for c in citations:
        console.print(citation_line(c))


def print_ask(console: Console, result: AskResult, show_question: bool = False) -> None:
    if show_question:
        console.print(f"[bold]Q: {escape(result.question)}[/bold]")
    if result.grounding == "replaced" and result.model_answer is not None:
        console.print(escape(result.answer))
        console.print(
            f"  [yellow]The model answered:[/yellow] {escape(result.model_answer)} "
            f"[dim]({escape(result.reason)})[/dim]"
        )
    elif result.answerable and not result.supported:
        console.print(f"[yellow]Unsupported:[/yellow] {escape(result.answer)}")
        if result.reason and "entailment" in result.checks:
            console.print(f"  ({escape(result.reason)}; do not rely on it)")
        elif result.citations and result.missing:
            missing = ", ".join(f"'{w}'" for w in result.missing)
            console.print(
                f"  (the cited sentences do not contain {escape(missing)}; do not rely on it)"
            )
        elif result.citations:
            console.print("  (the cited sentences do not state all of this; do not rely on it)")
        else:
            console.print("  (no sentence of the article states this; do not rely on it)")
    else:
        console.print(escape(result.answer))
    print_citations(console, result.citations)
    if result.dropped:
        dropped = ", ".join(result.dropped)
        console.print(f"  [dim]{len(result.dropped)} invalid citation(s) dropped: {dropped}[/dim]")


def print_chunks(console: Console, chunks: list[Chunk]) -> None:
    from rich.table import Table

    table = Table("chunk", "sentences", "tokens", "note")
    for c in chunks:
        span = c.first if c.first == c.last else f"{c.first}–{c.last}"
        note = (
            f"one sentence over the limit, cut into {len(c.parts)} token pieces" if c.split else ""
        )
        table.add_row(c.id, span, str(c.tokens), note)
    console.print(table)
