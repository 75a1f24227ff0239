"""`summarize`'s result: terminal (rich, markup escaped), Markdown (text escaped), plain text and
JSON.

Article text is untrusted: it never reaches rich markup or Markdown unescaped.
"""

from __future__ import annotations

import json

from rich.console import Console
from rich.markup import escape

from newsdesk.citations import format_ids
from newsdesk.render.markdown import md_escape
from newsdesk.tasks.contract import View
from newsdesk.tasks.summarize.results import SummaryLine, SummaryResult

UNSUPPORTED = "unsupported: no valid citation; do not rely on it"


def _ids(line: SummaryLine) -> str:
    return format_ids(line.ids)


def print_summary(console: Console, result: SummaryResult, show_evidence: bool = False) -> None:
    """headline: one bold line; bullets: a bulleted list; short/long: one sentence a line.
    Every line ends with the ids it rests on; --show-evidence quotes them verbatim below."""
    bullet = "• " if result.length == "bullets" else ""
    for line in result.lines:
        text = escape(line.text)
        if result.length == "headline":
            text = f"[bold]{text}[/bold]"
        if line.supported:
            console.print(f"{bullet}{text} [cyan]{escape(_ids(line))}[/cyan]")
        else:
            console.print(f"{bullet}{text} [yellow]({UNSUPPORTED})[/yellow]")
        if show_evidence:
            for c in line.citations:
                console.print(
                    f"    [dim]\\[{c.id}] ({escape(c.source.label)})[/dim] {escape(c.text)}"
                )
        if line.dropped:
            console.print(f"    [dim]invalid citation(s) dropped: {', '.join(line.dropped)}[/dim]")


def summary_markdown(result: SummaryResult, show_evidence: bool = False) -> str:
    """The summary as Markdown (for briefings and files)."""
    out: list[str] = []
    for line in result.lines:
        text = md_escape(line.text)
        tail = f" {md_escape(_ids(line))}" if line.supported else f" *({UNSUPPORTED})*"
        if result.length == "headline":
            out.append(f"**{text}**{tail}")
        elif result.length == "bullets":
            out.append(f"- {text}{tail}")
        else:
            out.append(f"{text}{tail}  ")
        if show_evidence:
            for c in line.citations:
                indent = "  " if result.length == "bullets" else ""
                who = md_escape(c.source.label)
                out.append(f"{indent}> \\[{c.id}\\] ({who}) {md_escape(c.text)}")
    return "\n".join(out) + "\n"


def summary_plain(result: SummaryResult) -> str:
    """Plain text, one line each with its ids (what ROUGE or a pipe wants)."""
    return "\n".join(
        f"{line.text} {_ids(line)}" if line.supported else f"{line.text} ({UNSUPPORTED})"
        for line in result.lines
    )


def summary_json(result: SummaryResult, view: View) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2)
