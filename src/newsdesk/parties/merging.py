"""Merging: mentions grouped into parties (a bare surname joins the full name before it), each
party's best name, and places dropped."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from newsdesk.article import Article
from newsdesk.parties.mentions import split_title
from newsdesk.parties.results import Mention
from newsdesk.parties.vocab import (
    ANONYMOUS,
    GROUP,
    LOCATIVE_WORDS,
    NAME_SUFFIXES,
    ORGANISATION,
    PERSON,
    bare_word,
)


@dataclass
class MergedParty:
    key: str
    kind: str
    mentions: list[Mention] = field(default_factory=list)
    first_tokens: set[str] = field(default_factory=set)


def merge_mentions(mentions: list[Mention]) -> tuple[list[MergedParty], dict[int, int]]:
    """Group mentions into parties. Returns parties and mention index -> party index."""
    parties: list[MergedParty] = []
    by_key: dict[str, list[int]] = {}  # merge key -> parties with that key
    assign: dict[int, int] = {}
    full_names: dict[int, list[str]] = {}  # party -> its multi-word person names
    recent: dict[str, int] = {}  # last party a token referred to (surname or given name)
    recent_anon: dict[str, int] = {}  # last unnamed group per head noun ("source")

    def new_party(m: Mention) -> int:
        parties.append(MergedParty(m.key, m.kind))
        by_key.setdefault(m.key, []).append(len(parties) - 1)
        return len(parties) - 1

    def person_words(m: Mention) -> list[str]:
        _, name, _ = split_title(m.text.split())
        return [bare_word(t) for t in name if bare_word(t) not in NAME_SUFFIXES]

    # Pass 1: persons with a full name (two or more words) define the people.
    for i, m in enumerate(mentions):
        if m.kind != PERSON:
            continue
        words = person_words(m)
        if len(words) < 2:
            continue
        same = [
            p
            for p in by_key.get(m.key, [])
            if any(n.split()[0] == words[0] or len(n.split()) < 2 for n in full_names.get(p, []))
        ]
        idx = same[0] if same else new_party(m)
        full_names.setdefault(idx, []).append(" ".join(words))
        assign[i] = idx

    surnames = {n.split()[-1] for names in full_names.values() for n in names}
    given: dict[str, set[int]] = {}
    for p, names in full_names.items():
        for n in names:
            given.setdefault(n.split()[0], set()).add(p)

    # Pass 2: everything else, in article order; bare surnames join the most recent full name.
    for i, m in enumerate(mentions):
        if i in assign:
            recent_words = person_words(m)
            for w in recent_words:
                recent[w] = assign[i]
            continue
        idx = -1
        if m.kind in (PERSON, "unknown", ORGANISATION):
            words = person_words(m) if m.kind == PERSON else [bare_word(t) for t in m.text.split()]
            if len(words) == 1:
                w = words[0]
                by_surname = [p for p, names in full_names.items() if names[0].split()[-1] == w]
                by_given = [
                    p
                    for p, names in full_names.items()
                    if m.titled and any(n.split()[0] == w for n in names)
                ]
                if not by_given and w not in surnames and len(given.get(w, ())) == 1:
                    by_given = list(given[w])  # "Malia" after "Malia Obama"
                pool = by_surname or by_given
                if pool:
                    idx = recent[w] if recent.get(w) in pool else pool[0]
                elif m.kind == "unknown" and f"person:{w}" in by_key:
                    idx = by_key[f"person:{w}"][0]  # "Trump" after "President Trump"
                elif m.kind == "unknown" and any(
                    mm.kind == PERSON and mm.key == f"person:{w}" for mm in mentions
                ):
                    m.key = f"person:{w}"  # "Trump" before "President Trump"
        if idx < 0 and m.kind == ANONYMOUS and _bare_reference(m):
            # "One of the sources", "the official": the group last described with that head
            idx = recent_anon.get(_anon_head(m.key), -1)
        if idx < 0:
            existing = by_key.get(m.key)
            idx = existing[0] if existing else new_party(m)
        assign[i] = idx
        if m.kind == ANONYMOUS:
            recent_anon[_anon_head(m.key)] = idx
        for w in [bare_word(t) for t in m.text.split()]:
            recent[w] = idx
    for i, idx in assign.items():
        parties[idx].mentions.append(mentions[i])
        if mentions[i].kind == PERSON or mentions[i].titled:
            parties[idx].kind = PERSON
    return parties, assign


def _anon_head(key: str) -> str:
    """ "anon:us official|familiar with..." -> "official" (the head noun, singular)."""
    return key.split("|", 1)[0].split()[-1]


def _bare_reference(m: Mention) -> bool:
    """An unnamed source with no description of its own: "One of the sources" refers back."""
    return "|" not in m.key and m.key.split(":", 1)[1].strip() == _anon_head(m.key)


def best_name(p: MergedParty) -> str:
    """The fullest title-less surface form ("Donald Trump" over "Mr Trump")."""
    forms = Counter(m.text for m in p.mentions)
    if p.kind == PERSON:
        untitled = []
        for form in forms:
            _role, name, titled = split_title(form.split())
            untitled.append(" ".join(name) if titled else form)
        best = max(untitled, key=lambda f: (len(f.split()), forms.get(f, 0), len(f)))
        return best
    if p.kind == ANONYMOUS:
        return max(forms, key=lambda f: (len(f), forms[f]))
    return max(forms, key=lambda f: (forms[f], len(f)))


def is_place(p: MergedParty, article: Article) -> bool:
    if p.kind in (PERSON, ANONYMOUS, GROUP) or any(m.titled for m in p.mentions):
        return False
    for m in p.mentions:
        before = article.by_id[m.sentence].text[: m.start].split()
        if not before or bare_word(before[-1]) not in LOCATIVE_WORDS:
            return False
    return True
