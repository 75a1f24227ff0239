"""`stance`'s result on a terminal (rich markup escaped: article text is untrusted) and as JSON."""

from __future__ import annotations

import json

from rich.console import Console
from rich.markup import escape

from newsdesk.article import Article
from newsdesk.tasks.contract import View
from newsdesk.tasks.stance.results import Party, StanceResult

_STANCE_STYLE = {
    "supports": "green",
    "opposes": "red",
    "mixed": "yellow",
    "neutral": "cyan",
    "unclear": "dim",
}


def _ids(ids: list[str]) -> str:
    return "\\[" + ", ".join(ids) + "]" if ids else ""


def print_party(console: Console, p: Party) -> None:
    style = _STANCE_STYLE.get(p.stance, "")
    console.print(
        f"[bold]{escape(p.name)}[/bold] ({escape(p.kind)}) [{style}]{escape(p.stance)}[/{style}]"
        if style
        else f"[bold]{escape(p.name)}[/bold]"
    )
    others = [a for a in p.aliases if a != p.name]
    if others:
        console.print(f"  also: {escape(', '.join(others))}")
    if p.role:
        console.print(f"  role: {escape(p.role)}")
    if p.position and not p.position_supported:
        console.print(
            f"  [yellow]unsupported position:[/yellow] {escape(p.position)} "
            f"{_ids([c.id for c in p.evidence])}"
        )
    elif p.position:
        console.print(f"  position: {escape(p.position)} {_ids([c.id for c in p.evidence])}")
    elif p.evidence:
        console.print(f"  evidence: {_ids([c.id for c in p.evidence])}")
    for line in p.checks:
        console.print(f"  [dim]check: {escape(line)}[/dim]")
    for q in p.quotes:
        console.print(f"  [italic]says:[/italic] “{escape(q.text)}” \\[{q.id}]")
    for c in p.claims_by_others:
        console.print(f"  [dim]per {escape(c.by)} \\[{c.id}]:[/dim] {escape(c.text)}")


def print_stance(console: Console, result: StanceResult, article: Article) -> None:
    console.print(f"[bold]Central issue:[/bold] {escape(result.central_issue)}")
    console.print()
    for p in result.parties:
        print_party(console, p)
        console.print()
    if result.disagreements:
        console.print("[bold]Disagreements[/bold]")
        for d in result.disagreements:
            console.print(f"- {escape(d.topic)}")
            for side in d.sides:
                console.print(f"  {escape(side.party)} {_ids(side.evidence)}")
                for sid in side.evidence:
                    s = article.get(sid)
                    if s is not None:
                        console.print(f"    [dim]\\[{sid}][/dim] {escape(s.text)}")
            if d.context:
                console.print(f"  context {_ids(d.context)}")
        console.print()
    cited = sorted(
        {c.id for p in result.parties for c in p.evidence},
        key=lambda i: article.by_id[i].index,
    )
    if cited:
        console.print("[bold]Evidence[/bold]")
        for sid in cited:
            console.print(f"  [bold]\\[{sid}][/bold] {escape(article.by_id[sid].text)}")
    if result.others:
        names = ", ".join(p.name for p in result.others)
        console.print(f"[dim]Also mentioned (not analysed): {escape(names)}[/dim]")
    counts = (
        (result.failures, "party call(s) gave invalid output twice"),
        (len(result.dropped), "invalid evidence id(s) dropped"),
        (result.ungrounded, "model position(s) not in the article's words, replaced"),
    )
    notes = [f"{n} {what}" for n, what in counts if n]
    if notes:
        console.print(f"[dim]{escape('; '.join(notes))}[/dim]")


def stance_json(result: StanceResult, view: View) -> str:
    data = result.to_dict()
    if view.usage is not None:
        data["usage"] = view.usage.to_dict()
    return json.dumps(data, ensure_ascii=False, indent=2)
