"""What a briefing finds without a model: what is unknown or unconfirmed, where the sides differ,
questions to ask, and whether a statement was copied from the prompt's worked example.
"""

from __future__ import annotations

import re
from functools import lru_cache

from newsdesk.article import Article, Sentence
from newsdesk.grounding import content_words
from newsdesk.parties import ANONYMOUS, PartyCandidate, find_parties
from newsdesk.prompts import render
from newsdesk.tasks.brief.results import PartyView, Statement, Unknown, UnknownKind, refs

MAX_UNKNOWNS = 8
MAX_PER_KIND = 4  # unknowns of one kind, so denials and withheld details are not crowded out
EXAMPLE_TEMPLATE = "brief_prefix-base.j2"  # the worked example every base-model call starts with

POSITION_VERB = re.compile(
    r"\b(said|says|say|told|added|argued|demand\w*|agreed|want\w*|expect\w*|urg\w*|oppos\w*"
    r"|support\w*|insist\w*|den(?:y|ied|ies)|downplay\w*|warn\w*|call\w* for|pledg\w*)\b",
    re.I,
)
# Sentences that report something unconfirmed: denials, withheld details, doubts.
_DENIAL = re.compile(r"\b(denied|denies|deny|denying|rejected|dismissed|refuted)\b", re.I)
_UNCONFIRMED = re.compile(
    r"\b(gave no (?:further )?details|declined to (?:comment|say|confirm|elaborate)"
    r"|did not (?:respond|comment|confirm|say)|could not be (?:independently )?"
    r"(?:verified|confirmed)|not (?:yet )?(?:confirmed|clear)|unclear|unconfirmed|downplayed"
    r"|no \w+ (?:have|has) materiali[sz]ed|reportedly|allegedly)\b",
    re.I,
)
_ANON_PHRASE = re.compile(
    r"\b(sources? (?:familiar|close|said|say|told)|people familiar|person familiar"
    r"|on condition of anonymity|declined to be (?:named|identified)"
    r"|asked not to be (?:named|identified)|one of the sources)\b",
    re.I,
)
DISAGREE = re.compile(
    r"\b(different (?:ideas|accounts|versions)|disagree\w*|dispute\w*|contradict\w*|denied"
    r"|denies|rejected|downplayed|at odds|differ\w*)\b",
    re.I,
)
_EXAMPLE_ARTICLE = re.compile(r"<article>(.*?)</article>", re.S)


@lru_cache(maxsize=1)
def example_words() -> frozenset[str]:
    """The content words of the worked example's article, read from its template (the first
    <article> block; the real article's block is rendered empty here)."""

    found = _EXAMPLE_ARTICLE.search(render(EXAMPLE_TEMPLATE, sentences=[]))
    return frozenset(content_words(found.group(1))) if found else frozenset()


def copies_example(text: str, article: Article | None = None) -> bool:
    """`text` uses a word of the worked example that the article does not use: a small model
    sometimes copies the example's answers."""
    used = content_words(text) & example_words()
    if not used:
        return False
    if article is None:
        return True
    return bool(used - content_words(article.text))


def find_unknowns(article: Article, candidates: list[PartyCandidate], index: int) -> list[Unknown]:
    """Claims resting only on unnamed sources, denials, withheld details: found by rule.

    At most MAX_PER_KIND of each kind; unnamed sources the article leans on most (most
    mentioned) come first, then the result is put back in article order.
    """
    rank: dict[str, int] = {}  # sentence id -> rank of the unnamed source speaking in it
    parties = find_parties(article)
    for r, p in enumerate(parties):
        if p.kind == ANONYMOUS:
            for i in p.spoken_ids:
                rank.setdefault(i, r)
    found: list[tuple[UnknownKind, int, Sentence]] = []
    for s in article.sentences:
        if s.id in rank or _ANON_PHRASE.search(s.text):
            found.append(("anonymous source", rank.get(s.id, len(parties)), s))
        elif _DENIAL.search(s.text):
            found.append(("denial", 0, s))
        elif _UNCONFIRMED.search(s.text):
            found.append(("unconfirmed", 0, s))
    kept: list[tuple[UnknownKind, int, Sentence]] = []
    kinds: tuple[UnknownKind, ...] = ("anonymous source", "denial", "unconfirmed")
    for kind in kinds:
        same = sorted((f for f in found if f[0] == kind), key=lambda f: (f[1], f[2].index))
        kept.extend(same[:MAX_PER_KIND])
    kept.sort(key=lambda f: f[2].index)
    return [
        Unknown(kind=kind, text=s.text, citations=refs([s.id], article, index), origin="rule")
        for kind, _, s in kept[:MAX_UNKNOWNS]
    ]


def disagreement_sentences(article: Article, shown: list[str], index: int) -> list[Statement]:
    """Shown sentences that say the sides differ, deny, downplay."""
    return [
        Statement(text=s.text, citations=refs([s.id], article, index), origin="rule")
        for s in article.sentences
        if s.id in shown and DISAGREE.search(s.text)
    ]


def fallback_questions(parties: list[PartyView], unknowns: list[Unknown]) -> list[Statement]:
    """Questions any briefing can ask, most specific first."""
    out: list[Statement] = []
    for u in unknowns:
        if u.kind == "anonymous source":
            text = "Will anyone confirm this on the record?"
            out.append(Statement(text=text, citations=u.citations, origin="rule"))
            break
    for p in parties:
        if p.kind == "person" and not p.speaks:
            text = f"What does {p.name} say, in their own words?"
            out.append(Statement(text=text, origin="rule"))
            break
    out.append(Statement(text="What happens next, and when?", origin="rule"))
    out.append(Statement(text="Whose account is missing from the article?", origin="rule"))
    return out
