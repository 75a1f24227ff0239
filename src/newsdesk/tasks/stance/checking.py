"""The semantic check of what `stance` says of each party: its position and its stance label
are statements too. Each is read against the party's own sentences (`tasks.verify`, one short
call per statement on the article prefix already read):

- a position that the party's sentences do not state is kept but marked unsupported, with the
  reason (`position_supported`, `checks`);
- a label ("X supports <the central issue>") that X's own sentences do not state becomes
  "unclear", with the reason. A label no model could read (a base model, a failed reply) is
  unclear too: an unchecked label is not printed as a finding.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsdesk.article import Article
from newsdesk.attribution import sources_of
from newsdesk.entailment import Claim, decide
from newsdesk.tasks.stance.results import Party, StanceResult
from newsdesk.tasks.verify import verify

if TYPE_CHECKING:
    from newsdesk.llm.client import LLMClient

_LABELS = {
    "supports": "{name} supports {issue}",
    "opposes": "{name} opposes {issue}",
    "mixed": "{name} has mixed views on {issue}",
    "neutral": "{name} takes no side on {issue}",
}


def label_claim(p: Party, issue: str) -> str:
    """The statement a stance label makes: "Derek Scissors supports <the central issue>"."""
    return _LABELS[p.stance].format(name=p.name, issue=issue.rstrip("."))


def _own(p: Party) -> tuple[str, ...]:
    """The party's own sentences among its evidence (then the sentences it speaks in)."""
    spoken = [q.id for q in p.quotes]
    return tuple(dict.fromkeys([*(c.id for c in p.evidence), *spoken]))


def check_parties(article: Article, llm: LLMClient, result: StanceResult) -> None:
    """Read every analysed party's position and label against its own sentences (in place)."""
    table = sources_of(article)
    claims: list[Claim] = []
    targets: list[tuple[Party, str]] = []
    for p in result.parties:
        if not p.analysed:
            continue
        own = _own(p)
        if p.position and own:
            claims.append(Claim(f"{p.name}: {p.position}", own))
            targets.append((p, "position"))
        if p.stance in _LABELS:
            claims.append(Claim(label_claim(p, result.central_issue), own))
            targets.append((p, "stance"))
    notes: list[str] = []
    readings = verify(article, claims, llm, notes=notes)
    result.notes.extend(dict.fromkeys(notes))
    for claim, (p, what), reading in zip(claims, targets, readings, strict=True):
        verdict = decide(claim.text, None, reading, table, attributed_ok=True)
        if what == "stance":
            if reading is None:
                p.checks.append(f"stance {p.stance!r} not checked; shown as unclear")
                p.stance = "unclear"
            elif not verdict.supported:
                p.checks.append(f"stance {p.stance!r}: {verdict.reason}; shown as unclear")
                p.stance = "unclear"
        elif reading is not None and not verdict.supported:
            p.position_supported = False
            p.checks.append(f"position: {verdict.reason}")
