"""`newsdesk eval --compare a.json b.json`: what changed between two runs, new failures first.

Cases match on (case id, prompt, provider); the case id is the suite file name and the test's
description, so reordering tests does not confuse the comparison.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field, computed_field
from rich.markup import escape

from newsdesk.schema import Record

if TYPE_CHECKING:
    from rich.console import Console

Key = tuple[str, str, str]


class Change(Record):
    case_id: str
    description: str
    prompt: str
    provider: str
    before: str | None  # pass / fail / error, None: not in that run
    after: str | None
    score_before: float | None = None
    score_after: float | None = None


class Comparison(Record):
    new_failures: list[Change] = Field(default_factory=list)  # passed before, not now
    added_failing: list[Change] = Field(default_factory=list)  # new cases that fail
    fixed: list[Change] = Field(default_factory=list)
    still_failing: list[Change] = Field(default_factory=list)
    added: list[Change] = Field(default_factory=list)  # new cases that pass
    removed: list[Change] = Field(default_factory=list)
    score_changes: list[Change] = Field(default_factory=list)  # both pass, score moved
    unchanged: int = 0

    def _regressed(self) -> bool:
        return bool(self.new_failures or self.added_failing)

    regressed = computed_field(property(_regressed))  # printed with --json


def _index(report: dict[str, Any]) -> dict[Key, dict[str, Any]]:
    return {(g["case_id"], g["prompt"], g["provider"]): g for g in report.get("groups", [])}


def compare(before: dict[str, Any], after: dict[str, Any]) -> Comparison:
    a, b = _index(before), _index(after)
    out = Comparison()
    for key in [*a, *(k for k in b if k not in a)]:
        ga, gb = a.get(key), b.get(key)
        ref = gb or ga
        assert ref is not None
        change = Change(
            case_id=key[0],
            description=ref.get("description", key[0]),
            prompt=key[1],
            provider=key[2],
            before=ga["status"] if ga else None,
            after=gb["status"] if gb else None,
            score_before=ga.get("score") if ga else None,
            score_after=gb.get("score") if gb else None,
        )
        if ga is None:
            (out.added if change.after == "pass" else out.added_failing).append(change)
        elif gb is None:
            out.removed.append(change)
        elif change.before == "pass" and change.after != "pass":
            out.new_failures.append(change)
        elif change.before != "pass" and change.after == "pass":
            out.fixed.append(change)
        elif change.after != "pass":
            out.still_failing.append(change)
        elif abs((change.score_after or 0) - (change.score_before or 0)) >= 0.01:
            out.score_changes.append(change)
        else:
            out.unchanged += 1
    return out


def print_comparison(console: Console, comp: Comparison, a_label: str, b_label: str) -> None:
    def line(c: Change, colour: str) -> str:
        score = ""
        if c.score_before is not None and c.score_after is not None:
            score = f" (score {c.score_before:.2f} → {c.score_after:.2f})"
        return (
            f"  [{colour}]{escape(c.description)}[/] · {escape(c.prompt)} · {escape(c.provider)}"
            f": {c.before or '-'} → {c.after or '-'}{score}"
        )

    console.print(f"comparing {escape(a_label)} → {escape(b_label)}")
    sections = [
        ("New failures", comp.new_failures, "red"),
        ("New cases failing", comp.added_failing, "red"),
        ("Fixed", comp.fixed, "green"),
        ("Still failing", comp.still_failing, "yellow"),
        ("New cases passing", comp.added, "green"),
        ("Removed", comp.removed, "dim"),
        ("Score changed (still passing)", comp.score_changes, "cyan"),
    ]
    for title, changes, colour in sections:
        if changes:
            console.print(f"[bold]{title}[/] ({len(changes)})")
            for c in changes:
                console.print(line(c, colour))
    console.print(
        f"{len(comp.new_failures)} new failure(s), {len(comp.fixed)} fixed, "
        f"{len(comp.still_failing)} still failing, {comp.unchanged} unchanged"
    )
