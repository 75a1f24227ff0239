"""`ask`'s result on a terminal and as JSON (rich markup escaped: article text is untrusted)."""

from __future__ import annotations

import json

from rich.console import Console
from rich.markup import escape

from newsdesk.render.terminal import print_citations
from newsdesk.tasks.ask.run import AskResult
from newsdesk.tasks.contract import View


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


def ask_json(result: AskResult, view: View) -> str:
    """One line per question (several questions print one object each)."""
    data = result.to_dict()
    if view.usage is not None:
        data["usage"] = view.usage.to_dict()
    return json.dumps(data, ensure_ascii=False)
