"""Attribution: who says each sentence of an article. Pure rules, no model.

Every sentence has one source:

- **named**: a person or named group speaks ("Mr Trump said then that...", a quotation that runs
  on from "said Dr Scissors", "he said" after a named person);
- **unnamed**: unnamed sources ("Three sources familiar with the state of negotiations said");
- **official**: a government or organisation speaks as a body ("The ministry said");
- **narration**: the reporter's own words (no speech or report verb with a speaker).

The speaker comes from the party finder (`parties.analyse_parties`, the same names `stance`
prints), so `party` is the party's name and `said_as` the words this sentence (or the one its
quotation runs on from) uses for it. A sentence whose speaker the rules cannot name is narration:
an attribution is never invented.

`unattributed(statement, sources)` is the rule every check uses: a statement drawn only from
what others say, and that names none of them and no verb of saying, states as fact what the
article only reports. `with_attribution` gives an answer its source back.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

from pydantic import computed_field

from newsdesk.article import Article
from newsdesk.parties import ANONYMOUS, GOVERNMENT, ORGANISATION, PartyCandidate, analyse_parties
from newsdesk.parties.vocab import SPEAKER_NOUN
from newsdesk.schema import Record

SourceKind = Literal["named", "unnamed", "official", "narration"]

# Verbs that carry an attribution inside a statement: "X said", "according to X", "X claims".
_REPORTING = re.compile(
    r"\b(?:said|says|say|saying|told|tells|according|claim(?:s|ed)?|stated|states|added|"
    r"insist(?:s|ed)?|argue[sd]?|believe[sd]?|report(?:s|ed)?|allege[sd]?|maintain(?:s|ed)?|"
    r"deni(?:es|ed)|den(?:y)|warn(?:s|ed)?|quoted|wrote|writes|announc(?:es|ed)|accuse[sd]?)\b",
    re.IGNORECASE,
)
# Head nouns that name an unnamed source inside a statement ("sources say", "an official").
_SOURCE_WORDS = re.compile(
    r"\b(?:sources?|officials?|spokes(?:man|woman|person)|aides?|insiders?|diplomats?|"
    r"advisers?|advisors?|representatives?)\b",
    re.IGNORECASE,
)
_LEADING = frozenset("a an the one two three four five several some many other".split())
# "..., officials said." / "..., police said on Monday." / "..., according to the ministry.":
# the report clause at a sentence's end, whose speaker the party finder does not name (a
# lowercase or bare plural subject). Up to five words of speaker, then the verb and at most six
# words (a time, "in a statement") before the full stop.
_TRAILING = re.compile(
    r"[,\"”]\s+(?:(?P<who>(?:the\s+)?[A-Za-z][\w'’-]*(?:\s+[\w'’-]+){0,4}?)\s+"
    r"(?:said|says|told\s+\w+|added|reported|stated)"
    r"|according\s+to\s+(?P<who2>(?:the\s+)?[A-Za-z][\w'’-]*(?:\s+[\w'’-]+){0,4})"
    r"|(?:said|says|added)\s+(?P<who3>(?:the|a|an)\s+[\w'’-]+(?:\s+[\w'’-]+){0,3}?))"
    r"(?:\s+[\w'’,-]+){0,6}?\s*[.!?][\"”’']?\s*$"
)
_BODIES = re.compile(
    r"\b(?:police|ministry|department|government|agency|authorities|court|army|military|"
    r"company|firm|office|council|commission|committee|spokes\w+|statement)\b",
    re.IGNORECASE,
)
_PRONOUNS = frozenset("he she they it we i you".split())


# "Police said he was in his 30s." / "Gurlitt's representative said that ...": a speaker
# written as a body or a role at the start of the sentence, which the party finder does not name.
_OPENING = re.compile(
    r"^(?P<who>(?:[A-Z][\w'’-]*)(?:\s+[\w'’-]+){0,3}?)\s+(?:said|says|say|told|added)\b"
)


def _opening(text: str) -> Source | None:
    m = _OPENING.match(text)
    if m is None or not SPEAKER_NOUN.search(m.group("who").split()[-1]):
        return None
    who = m.group("who")
    kind: SourceKind = "unnamed" if _SOURCE_WORDS.search(who) else "official"
    return Source(kind=kind, party=who, said_as=who)


def _trailing(text: str) -> Source | None:
    """The speaker of a closing report clause ("..., officials said."), or None."""
    m = _TRAILING.search(text)
    if m is None:
        return None
    who = (m.group("who") or m.group("who2") or m.group("who3") or "").strip()
    if not who or who.lower() in _PRONOUNS:
        return None  # "he said": the party finder resolves pronouns, or nobody can
    kind: SourceKind = (
        "unnamed" if _SOURCE_WORDS.search(who) else "official" if _BODIES.search(who) else "named"
    )
    return Source(kind=kind, party=who, said_as=who)


class Source(Record):
    """Who says a sentence."""

    kind: SourceKind
    party: str = ""  # the party's name, as stance prints it ("Donald Trump"); "" for narration
    said_as: str = ""  # the words the article uses for it here ("Mr Trump", "One of the sources")

    def _label(self) -> str:
        """How a citation shows it: "Mr Trump said", "the reporter"."""
        return f"{self.said_as} said" if self.said_as else "the reporter"

    label = computed_field(property(_label))

    @property
    def reported(self) -> bool:
        """Someone other than the reporter says it."""
        return self.kind != "narration"


NARRATION = Source(kind="narration")


def _kind(candidate: PartyCandidate) -> SourceKind:
    if candidate.kind == ANONYMOUS:
        return "unnamed"
    if candidate.kind in (GOVERNMENT, ORGANISATION):
        return "official"
    return "named"


def _said_as(candidate: PartyCandidate, text: str) -> str:
    """The alias this sentence uses (the longest one in it), else the shortest titled one."""
    present = [a for a in candidate.aliases if a and a in text]
    if present:
        return max(present, key=len)
    titled = [a for a in candidate.aliases if len(a.split()) >= 2]
    return min(titled or candidate.aliases or [candidate.name], key=len)


def sources(article: Article) -> dict[str, Source]:
    """Sentence id -> its source, for every sentence of the article."""
    party_map = analyse_parties(article)
    out: dict[str, Source] = {}
    for s in article.sentences:
        who = party_map.speakers.get(s.id)
        if who is None:
            out[s.id] = _trailing(s.text) or _opening(s.text) or NARRATION
            continue
        candidate = party_map.candidates[who]
        out[s.id] = Source(
            kind=_kind(candidate), party=candidate.name, said_as=_said_as(candidate, s.text)
        )
    return out


_MEMO: dict[int, tuple[weakref.ref[Article], dict[str, Source]]] = {}


def sources_of(article: Article) -> dict[str, Source]:
    """`sources(article)`, computed once per Article object (every citation asks for it)."""
    hit = _MEMO.get(id(article))
    if hit is not None and hit[0]() is article:
        return hit[1]
    table = sources(article)
    _MEMO[id(article)] = (weakref.ref(article), table)
    weakref.finalize(article, _MEMO.pop, id(article), None)
    return table


def _mentions(statement: str, source: Source) -> bool:
    """Does the statement name this source (any of its words of three letters or more)?"""
    low = statement.lower()
    words = {
        w.lower() for w in re.findall(r"[A-Za-z][\w'-]{2,}", f"{source.party} {source.said_as}")
    }
    words -= _LEADING | {"mr", "mrs", "ms", "dr", "president", "the", "familiar", "with"}
    return any(re.search(rf"\b{re.escape(w)}", low) for w in words)


def unattributed(statement: str, cited: Sequence[Source]) -> Source | None:
    """The source a statement leaves out, if it states as fact what only others say.

    Every cited sentence is someone's report (none is narration), the statement has no verb of
    saying and no unnamed-source noun, and it names none of the cited sources: then it is
    "attributed elsewhere" and the first of them is returned. Otherwise None."""
    if not cited or any(not s.reported for s in cited):
        return None
    if _REPORTING.search(statement) or _SOURCE_WORDS.search(statement):
        return None
    if any(_mentions(statement, s) for s in cited):
        return None
    return cited[0]


def mid_sentence(source: Source) -> str:
    """The words for a source inside a sentence: "one of the sources", "Mr Trump"."""
    return _lead(source.said_as)


def _lead(said_as: str) -> str:
    """ "One of the sources" -> "one of the sources" (mid-sentence); names keep capitals."""
    first, _, rest = said_as.partition(" ")
    if first.lower() in _LEADING:
        return f"{first.lower()} {rest}".strip()
    return said_as


def with_attribution(answer: str, source: Source) -> str:
    """ "China would restart purchases" -> "According to Mr Trump, China would restart
    purchases" (the answer's first word lowercased unless it is a name or an acronym)."""
    text = answer.strip()
    first = text.split(" ", 1)[0] if text else ""
    keep = first[:1].isupper() and (first.isupper() or first.lower() not in _COMMON_STARTS)
    body = text if keep or not text else text[0].lower() + text[1:]
    return f"According to {_lead(source.said_as)}, {body}"


# Capitalised only because they start the answer.
_COMMON_STARTS = frozenset(
    """a an the to it its this that these those there they he she we i in on at by for with
    only no not yes after before when while if as of from all some both each""".split()
)


def cited_sources(ids: Iterable[str], table: Mapping[str, Source]) -> list[Source]:
    return [table[i] for i in ids if i in table]
