"""The entry points: analyse_parties (candidates and speakers), find_parties, quoted_spans."""

from __future__ import annotations

import re
from collections import Counter

from newsdesk.article import Article
from newsdesk.parties.mentions import sentence_mentions
from newsdesk.parties.merging import MergedParty, best_name, is_place, merge_mentions
from newsdesk.parties.results import Mention, PartyCandidate, PartyMap
from newsdesk.parties.speakers import find_speakers
from newsdesk.parties.vocab import (
    HONORIFICS,
    ORGANISATION,
    PERSON,
    bare_word,
)


def quoted_spans(article: Article) -> dict[str, list[tuple[int, int]]]:
    """Sentence id -> (start, end) offsets in article.text of the words inside quotation marks.

    A quotation left open at a sentence end continues into the next sentence of the paragraph.
    """
    out: dict[str, list[tuple[int, int]]] = {}
    inside = False
    prev_para = -1
    for s in article.sentences:
        if s.paragraph != prev_para:
            inside = False
        prev_para = s.paragraph
        spans: list[tuple[int, int]] = []
        start = s.start if inside else -1
        for i in range(s.start, s.end):
            ch = article.text[i]
            opening = ch == "“" or (ch == '"' and not inside)
            closing = ch == "”" or (ch == '"' and inside)
            if opening and not inside:
                inside, start = True, i + 1
            elif closing and inside:
                inside = False
                if i > start >= 0:
                    spans.append((start, i))
        if inside and s.end > start >= 0:
            spans.append((start, s.end))
        cleaned = []
        for a, b in spans:
            while a < b and (article.text[a].isspace() or article.text[a] in '“"'):
                a += 1
            while b > a and article.text[b - 1].isspace():
                b -= 1
            if b > a and any(c.isalnum() for c in article.text[a:b]):
                cleaned.append((a, b))
        if cleaned:
            out[s.id] = cleaned
    return out


def _lower_words(article: Article) -> set[str]:
    return {w.lower() for w in re.findall(r"(?<![\w'’])[a-z][\w'’-]*", article.text)}


def analyse_parties(article: Article) -> PartyMap:
    lower_words = _lower_words(article)
    mentions: list[Mention] = []
    for s in article.sentences:
        mentions.extend(sentence_mentions(s, lower_words))
    parties, assign = merge_mentions(mentions)
    speakers = find_speakers(article, mentions, assign, parties)

    keep: list[int] = []
    for idx, p in enumerate(parties):
        if not p.mentions or is_place(p, article):
            continue
        lonely = len(p.mentions) < 2 and idx not in speakers.values()
        if lonely and (p.kind == "unknown" or all(m.weak for m in p.mentions)):
            continue
        keep.append(idx)
    # "US", "U.S." and "United States" are one party
    candidates: list[PartyCandidate] = []
    index_of: dict[int, int] = {}
    for idx in keep:
        p = parties[idx]
        ids = sorted({m.sentence for m in p.mentions}, key=lambda i: article.by_id[i].index)
        aliases = list(dict.fromkeys(m.text for m in p.mentions))
        name = best_name(p)
        if name not in aliases:
            aliases.insert(0, name)
        roles = [m.role for m in p.mentions if m.role and bare_word(m.role) not in HONORIFICS]
        spoken = sorted(
            (sid for sid, who in speakers.items() if who == idx),
            key=lambda i: article.by_id[i].index,
        )
        kind = p.kind if p.kind != "unknown" else (PERSON if spoken else ORGANISATION)
        index_of[idx] = len(candidates)
        candidates.append(
            PartyCandidate(
                name=name,
                aliases=aliases,
                kind=kind,
                sentence_ids=sorted(set(ids) | set(spoken), key=lambda i: article.by_id[i].index),
                mentions=len(p.mentions),
                role=Counter(roles).most_common(1)[0][0] if roles else _apposition(article, p),
                spoken_ids=spoken,
            )
        )
    order = sorted(
        range(len(candidates)),
        key=lambda i: (
            -len(candidates[i].sentence_ids),
            -candidates[i].mentions,
            article.by_id[candidates[i].sentence_ids[0]].index,
        ),
    )
    rank = {old: new for new, old in enumerate(order)}
    ranked = [candidates[i] for i in order]
    spoken_by = {sid: rank[index_of[who]] for sid, who in speakers.items() if who in index_of}
    return PartyMap(ranked, spoken_by)


def _apposition(article: Article, p: MergedParty) -> str:
    """ "Dr Derek Scissors, a China expert at the American Enterprise Institute," -> role."""
    for m in p.mentions:
        text = article.by_id[m.sentence].text
        hit = re.match(
            r",\s+((?:a|an|the)\s+[^,\"“”]{3,120}?)(?:,|(?<![A-Z])\.|\s+said\b)", text[m.end :]
        )
        if hit:
            return hit.group(1)
    return ""


def find_parties(article: Article) -> list[PartyCandidate]:
    """Party candidates, most-mentioned first. Pure: no model involved."""
    return analyse_parties(article).candidates
