"""Speakers: who speaks in each sentence (`said X`, `X said`, `according to X`, `he said`, a
continued quotation)."""

from __future__ import annotations

import re

from newsdesk.article import Article
from newsdesk.parties.merging import _Party
from newsdesk.parties.results import Mention
from newsdesk.parties.vocab import (
    _PRONOUN_SPEAKER,
    _QUOTE_CHARS,
    _SPEECH,
    PERSON,
    _bare,
)

_SPEECH_VERB = re.compile(rf"\b(?:{_SPEECH}|according\s+to)\b")
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


def _speaker_in(text: str, ms: list[tuple[int, Mention]], mask: list[bool]) -> int | None:
    """Index (into ms) of the mention that speaks in this sentence, if any."""
    for v in _SPEECH_VERB.finditer(text):
        if mask[v.start()]:
            continue  # a verb inside a quotation
        before = text[: v.start()].rstrip()
        if v.group(0).startswith("according"):
            after = [k for k, (_, m) in enumerate(ms) if m.start >= v.end()]
            if after and ms[after[0]][1].start - v.end() <= 6:
                return after[0]
            continue
        # '"...," said Dr Scissors' / ', said X': the speaker follows the verb
        if before.endswith((",", '"', "”", "’", "'")):
            after = [k for k, (_, m) in enumerate(ms) if m.start >= v.end()]
            if after and ms[after[0]][1].start - v.end() <= 6:
                return after[0]
        # 'X said' / 'X, a ..., said': the earliest subject-like mention of the clause
        clause_start = max(
            [i + 1 for i, inq in enumerate(mask[: v.start()]) if inq] + [0],
        )
        for k, (_, m) in enumerate(ms):
            if m.start < clause_start or m.end > v.start():
                continue
            words = text[: m.start].split()
            if words and _bare(words[-1]) in _PREPOSITIONS:
                continue
            gap = text[m.end : v.start()]
            if '"' in gap or "“" in gap or "”" in gap:
                continue
            return k
    return None


def _speakers(
    article: Article, mentions: list[Mention], assign: dict[int, int], parties: list[_Party]
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
        found: int | None = assign[ms[k][0]] if k is not None else None
        if found is None and last_person is not None:
            for pm in _PRONOUN_SPEAKER.finditer(text):
                if not mask[pm.start()]:
                    found = last_person
                    break
        quoted = any(c in text for c in _QUOTE_CHARS)
        if (
            found is None
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
