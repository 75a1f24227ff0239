"""Speakers: who speaks in each sentence (`said X`, `X said`, `according to X`, `he said`, a
continued quotation)."""

from __future__ import annotations

import re

from newsdesk.article import Article
from newsdesk.parties.merging import MergedParty
from newsdesk.parties.results import Mention
from newsdesk.parties.vocab import (
    PERSON,
    PRONOUN_SPEAKER,
    QUOTE_CHARS,
    SPEAKER_NOUN,
    SPEECH_VERBS,
    bare_word,
)

_SPEECH_VERB = re.compile(rf"\b(?:{SPEECH_VERBS}|according\s+to)\b")
_SUBORDINATOR = re.compile(
    r"\b(?:after|before|when|while|because|since|although|though|if|unless|until|whether|that"
    r"|once|as)\b"
)
_PREPOSITIONS = frozenset(
    "in at of for with from to by on about against near into over under between among".split()
)


def _quote_mask(text: str, inside: bool) -> list[bool]:
    """For each character: is it inside a quotation? `inside` carries an open quote in."""
    mask = []
    for ch in text:
        if ch == "“":
            inside = True
        elif ch == "”":
            mask.append(True)
            inside = False
            continue
        elif ch == '"':
            mask.append(True)
            inside = not inside
            continue
        mask.append(inside)
    return mask


# `_speaker_in`'s answer when someone speaks whom the finder does not name ("Police said he
# ...", ", his representative said."): no party speaks, and no "he said" or running quotation
# may hand the sentence to the last person named either.
UNNAMED = -1


def _segments(text: str, start: int, end: int, mask: list[bool]) -> list[tuple[int, int]]:
    """The comma-separated stretches of text[start:end] (commas inside quotations ignored)."""
    cuts = [i for i in range(start, end) if text[i] == "," and not mask[i]]
    bounds = [start, *(c + 1 for c in cuts)]
    return list(zip(bounds, [*cuts, end], strict=True))


def _usable(text: str, m: Mention) -> bool:
    """A mention that can be a subject: not after a preposition, not a possessor ("Gurlitt's
    representative"), not the place in front of a body ("Toronto police")."""
    words = text[: m.start].split()
    if words and bare_word(words[-1]) in _PREPOSITIONS:
        return False
    rest = text[m.end :]
    if rest.startswith(("'s", "’s")):
        return False
    following = rest.split(",", 1)[0].split()[:1]
    return not (following and SPEAKER_NOUN.fullmatch(following[0].strip(".;:")))


def _speaker_in(text: str, ms: list[tuple[int, Mention]], mask: list[bool]) -> int | None:
    """Index (into ms) of the mention that speaks in this sentence; UNNAMED when a speaker is
    written but is not a party; None when nobody speaks.

    The speaker is the noun phrase at the verb: the words right after "said"/"according to" up
    to a comma ("said Toronto fire Platoon Chief Tony Bellavance": its last name), else the words
    right before the verb after the last comma (", Nicholson said."), else, when an aside sits
    between subject and verb ("Dr Scissors, who has ..., said"; "Amy Nicholson, chief of
    public affairs, said"), the first subject-like mention of the clause."""
    verbs = list(_SPEECH_VERB.finditer(text))
    edges = [i for i in range(len(text)) if mask[i] and (i == 0 or not mask[i - 1])]
    edges += [i for i in range(len(text)) if mask[i] and (i + 1 == len(text) or not mask[i + 1])]
    if edges:
        # the verb nearest the quotation speaks it: in "According to The Hill, ... a poll said
        # she \"...\"" the words are the poll's, not The Hill's
        verbs.sort(key=lambda v: min(min(abs(v.start() - e), abs(v.end() - e)) for e in edges))
    for v in verbs:
        if mask[v.start()]:
            continue  # a verb inside a quotation
        before = text[: v.start()].rstrip()
        follows = v.group(0).startswith("according") or before.endswith((",", '"', "”", "’", "'"))
        if follows:  # "according to X" / '"...," said X' / ', said X'
            stop = next(
                (i for i in range(v.end(), len(text)) if text[i] in ",.;" and not mask[i]),
                len(text),
            )
            phrase = [k for k, (_, m) in enumerate(ms) if v.end() <= m.start < stop]
            if phrase and ms[phrase[0]][1].start - v.end() <= 6:
                k = phrase[-1]
                return k if _usable(text, ms[k][1]) else UNNAMED
            if SPEAKER_NOUN.search(text[v.end() : stop]):
                return UNNAMED  # "according to police", "said a spokesman"
            if v.group(0).startswith("according"):
                continue
        clause_start = max(
            [i + 1 for i, inq in enumerate(mask[: v.start()]) if inq] + [0],
        )
        segments = _segments(text, clause_start, v.start(), mask)
        a, b = segments[-1]
        # "Cheney sought ... after an alleged poll in Wyoming said": the verb's subject is the
        # clause after the last subordinator, not the main clause's subject before it
        joins = [j for j in _SUBORDINATOR.finditer(text, a, b) if not mask[j.start()]]
        subordinate = bool(joins and text[joins[-1].end() : b].strip())
        if subordinate:
            a = joins[-1].end()
        subject = text[a:b].split()
        if {w.lower() for w in subject[-3:]} & {"he", "she", "they", "we", "i"}:
            return None  # "she wrote", "he also said": the pronoun rule finds who it is
        if subject:  # ", Nicholson said." / "Police said" / "Mr Trump said then"
            inside = [k for k, (_, m) in enumerate(ms) if a <= m.start and m.end <= b]
            usable = [k for k in inside if _usable(text, ms[k][1])]
            if usable:
                return usable[0]  # "Toronto police Constable Tony Vella said": the place is not it
            if len(segments) >= 2 and not subordinate and not text[a:b].strip()[:1].isupper():
                # "Amy Nicholson, chief of public affairs at the airfield said": an aside
                pa, pb = segments[-2]
                ends = [k for k, (_, m) in enumerate(ms) if pa <= m.start and m.end == pb]
                if ends and _usable(text, ms[ends[-1]][1]):
                    return ends[-1]
            if inside or len(text[a:b].split()) <= 6:
                return UNNAMED  # a subject is written, and it is not a party
            continue
        # "X, who ..., said": the first subject-like mention of the clause
        for k, (_, m) in enumerate(ms):
            if m.start < clause_start or m.end > v.start():
                continue
            if not _usable(text, m):
                continue
            gap = text[m.end : v.start()]
            if '"' in gap or "“" in gap or "”" in gap:
                continue
            return k
    return None


def find_speakers(
    article: Article, mentions: list[Mention], assign: dict[int, int], parties: list[MergedParty]
) -> dict[str, int]:
    """Sentence id -> party that speaks in it."""
    by_sentence: dict[str, list[int]] = {}
    for i, m in enumerate(mentions):
        by_sentence.setdefault(m.sentence, []).append(i)
    speakers: dict[str, int] = {}
    last_person: int | None = None
    inside = False  # a quotation left open by the previous sentence
    prev_speaker: int | None = None
    prev_para = -1
    for s in article.sentences:
        text = s.text
        if s.paragraph != prev_para:
            inside = False  # a new paragraph re-opens a continued quotation
        mask = _quote_mask(text, inside)
        ms = [(i, mentions[i]) for i in by_sentence.get(s.id, [])]
        k = _speaker_in(text, ms, mask)
        found: int | None = assign[ms[k][0]] if k is not None and k != UNNAMED else None
        if k == UNNAMED:
            pass  # someone speaks, unnamed: not "he", not the previous speaker
        elif found is None and last_person is not None:
            for pm in PRONOUN_SPEAKER.finditer(text):
                if not mask[pm.start()]:
                    found = last_person
                    break
        quoted = any(c in text for c in QUOTE_CHARS)
        if (
            found is None
            and k != UNNAMED
            and prev_speaker is not None
            and (inside or (quoted and text[:1] in '"“' and s.paragraph - prev_para <= 1))
        ):
            found = prev_speaker
        if found is not None:
            speakers[s.id] = found
        persons = [assign[i] for i, _m in ms if parties[assign[i]].kind == PERSON]
        if persons:
            last_person = persons[0]  # the subject, usually: "he said" refers back to it
        if found is not None and parties[found].kind == PERSON:
            last_person = found
        inside = bool(mask) and mask[-1] and text[-1] not in '"”'
        prev_speaker = found if found is not None else (prev_speaker if inside else None)
        prev_para = s.paragraph
    return speakers
