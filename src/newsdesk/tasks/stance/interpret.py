"""What `stance` keeps of the model's answers (pure: no call here).

Everything the model writes passes the one grounding check (`grounding.ground`): a position must
be in the words of the party's sentences (its names and the central issue aside), and its
evidence becomes the sentences those words come from; a position that fails leaves the party's
own words standing. The issue, roles and topics pass the same check; the parties the model adds
are kept only when their names occur in the article.
"""

from __future__ import annotations

from newsdesk.article import Article, normalise_ws
from newsdesk.citations import check_ids, resolve
from newsdesk.grounding import ground
from newsdesk.parties import PartyCandidate, PartyMap
from newsdesk.tasks.stance.outputs import STANCES, PartyOutput, PartyPosition
from newsdesk.tasks.stance.results import Disagreement, Party, StanceResult
from newsdesk.tasks.stance.rules import occurrence


def _same_party(name: str, cand: PartyCandidate) -> bool:
    low = name.lower().split()
    for alias in [cand.name, *cand.aliases]:
        a = alias.lower().split()
        if a == low or (a and low and a[-1] == low[-1] and cand.kind == "person"):
            return True
        if " ".join(low) in alias.lower() or alias.lower() in " ".join(low):
            return len(min(alias, name, key=len)) >= 4
    return False


def merge_proposals(
    article: Article, pm: PartyMap, names: list[str]
) -> tuple[list[str], list[str], set[int]]:
    """Add the model's parties to the candidates. Returns (kept, rejected, confirmed indices)."""
    kept: list[str] = []
    rejected: list[str] = []
    confirmed: set[int] = set()
    for raw in names:
        surface = occurrence(article, raw)
        if surface is None:
            if raw.strip():
                rejected.append(raw.strip())
            continue
        if surface in kept:
            continue
        kept.append(surface)
        match = [i for i, c in enumerate(pm.candidates) if _same_party(surface, c)]
        if match:
            confirmed.add(match[0])
            continue
        ids = [s.id for s in article.sentences if surface.lower() in s.text.lower()]
        pm.candidates.append(
            PartyCandidate(
                name=surface,
                aliases=[surface],
                kind="unknown",
                sentence_ids=ids,
                mentions=len(ids),
            )
        )
        confirmed.add(len(pm.candidates) - 1)
    return kept, rejected, confirmed


def central_issue(text: str, article: Article) -> str:
    """The model's central issue when the article's words hold it, else the article's title."""
    if text and ground(text, list(article.by_id), article).supported:
        return normalise_ws(text)
    return article.title


def problems(
    outs: list[PartyOutput] | list[PartyPosition], article: Article, shown: list[str]
) -> str | None:
    """What the model must fix in its party answers (None: nothing): labels, evidence ids."""
    if any(o.stance not in STANCES for o in outs):
        return f"stance must be one of {', '.join(STANCES)}"
    bad = [i for o in outs for i in check_ids(o.evidence, article, shown).dropped]
    return f"evidence {bad} are not sentence ids shown" if bad else None


def _ignored(cand: PartyCandidate, issue: str) -> str:
    """Words a party's position need not find in its sentences: its names and the issue."""
    return " ".join([issue, cand.name, *cand.aliases])


def apply(
    p: Party,
    out: PartyOutput | PartyPosition,
    cand: PartyCandidate,
    issue: str,
    shown: list[str],
    article: Article,
    result: StanceResult,
) -> None:
    """The model's position, with its evidence corrected to the sentences it rests on
    (`grounding.ground`), among the party's own sentences only: a position is never cited to
    a sentence about someone else. Else the party's own words (and their own sentence) stand."""
    result.dropped.extend(check_ids(out.evidence, article, shown).dropped)
    own = [i for i in shown if i in set(cand.sentence_ids)]
    verdict = ground(out.position, out.evidence, article, own, ignore=_ignored(cand, issue))
    if verdict.supported:
        p.position = verdict.text
        p.evidence = resolve(verdict.ids, article)
    else:
        result.ungrounded += 1
    p.stance = out.stance if out.stance in STANCES else "unclear"
    p.analysed = True


def apply_role(p: Party, role: str, shown: list[str], article: Article) -> None:
    """The small model's role for a party the rules gave none, when its sentences hold it."""
    if not p.role and ground(role, shown, article, shown).supported:
        p.role = normalise_ws(role)


def apply_topic(d: Disagreement, topic: str, article: Article) -> None:
    """The model's name for a disagreement, when the two sides' sentences hold its words."""
    said = [i for side in d.sides for i in side.evidence]
    if ground(topic, said, article, said).supported:
        d.topic = normalise_ws(topic)
