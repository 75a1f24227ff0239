"""`check`'s result on a terminal (rich markup escaped: draft and article are untrusted) and as
JSON."""

from __future__ import annotations

import json

from rich.console import Console
from rich.markup import escape

from newsdesk.render.terminal import citation_line
from newsdesk.tasks.check.run import CheckResult
from newsdesk.tasks.contract import View

_MARK = {
    "supported": "[green]supported[/green]",
    "unsupported": "[yellow]unsupported[/yellow]",
    "contradicted": "[red]contradicted[/red]",
    "attributed": "[yellow]attributed elsewhere[/yellow]",
}


def print_check(console: Console, result: CheckResult) -> None:
    for s in result.sentences:
        console.print(f"{s.n}. {_MARK[s.verdict]}: {escape(s.text)}")
        if not s.supported:
            console.print(f"  [dim]{escape(s.reason)}[/dim]")
        for c in s.citations:
            console.print(citation_line(c))
    supported = sum(s.supported for s in result.sentences)
    console.print(
        f"score {result.score:.2f}: {supported} of {len(result.sentences)} sentences supported"
    )
    for note in result.notes:
        console.print(f"[dim]note: {escape(note)}[/dim]")


def check_json(result: CheckResult, view: View) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2)
