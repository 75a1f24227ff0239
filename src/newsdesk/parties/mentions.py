"""Mention finding: the spans of each sentence that name a party (unnamed sources,
administrations, groups, runs of capitalised words), with their kind and merge key."""

from __future__ import annotations

import re
from collections.abc import Callable

from newsdesk.article import Sentence
from newsdesk.parties.results import Mention
from newsdesk.parties.vocab import (
    ACRONYM_AFTER,
    ADMINISTRATION,
    ANONYMOUS,
    COMMON_WORDS,
    COUNTRIES,
    DAYS_AND_MONTHS,
    DEMONYMS,
    EVENT_HEADS,
    GOVERNMENT,
    GROUP,
    GROUP_NOUN_WORDS,
    GROUP_PHRASE,
    INITIAL_ONLY_WORDS,
    LOWER_GROUP_PHRASE,
    NAME_RUN,
    NAME_SUFFIXES,
    ORG_HEADS,
    PERSON,
    PLACE_HEADS,
    PLATFORMS,
    TITLE_WORDS,
    UNNAMED_SOURCE,
    US_ALIASES,
    bare_word,
    is_acronym,
    is_common_word,
    kind_of,
    singular,
    strip_possessive,
)


def _trim_run(tokens: list[str], first_in_sentence: bool, lower_words: set[str]) -> list[str]:
    """Drop common words at the edges of a capitalised run."""
    while tokens:
        low = bare_word(tokens[0])
        if " ".join(bare_word(t) for t in tokens) in COUNTRIES:
            break  # "New Delhi wants more": the whole run is a place's name
        drop = is_common_word(tokens[0]) and (first_in_sentence or low not in INITIAL_ONLY_WORDS)
        if first_in_sentence and len(tokens) == 1 and low in GROUP_NOUN_WORDS:
            drop = True  # "Officials said": an unnamed group, not a name
        if first_in_sentence and not drop and low in lower_words and len(tokens) == 1:
            drop = True  # "Critics said...": a sentence-initial word used lowercase elsewhere
        if tokens[0].isupper() and len(tokens[0].replace(".", "")) >= 7:
            drop = True  # a dateline in capitals
        if not drop:
            break
        tokens = tokens[1:]
        first_in_sentence = False
    if tokens and all(t.isupper() for t in tokens) and sum(len(t) for t in tokens) >= 7:
        return []  # "WASHINGTON/NEW YORK": a dateline
    if tokens and tokens[-1].endswith(".") and not _keeps_period(tokens[-1]):
        tokens = [*tokens[:-1], tokens[-1][:-1]]
    while tokens and (
        bare_word(tokens[-1]) in DAYS_AND_MONTHS
        or bare_word(tokens[-1]) in {"of", "for", "de", "la", "le", "al"}
        or tokens[-1].isdigit()
    ):
        tokens = tokens[:-1]
    return tokens


def _keeps_period(word: str) -> bool:
    """ "U.S.", "J.", "Jr.", "Inc." keep their full stop; "Scissors." does not."""
    bare = word.rstrip(".")
    return "." in bare or len(bare) == 1 or bare.lower() in {"jr", "sr", "inc", "corp", "co"}


def split_title(tokens: list[str]) -> tuple[list[str], list[str], bool]:
    """(role words, name words, titled): "Chinese President Xi Jinping" -> role + name."""
    last = -1
    for i, t in enumerate(tokens[:-1]):
        if bare_word(t).rstrip(".") in TITLE_WORDS:
            last = i
    if last < 0:
        return [], tokens, False
    name = tokens[last + 1 :]
    # "Secretary of State Hillary Clinton": skip "of State" after the title
    while name and bare_word(name[0]) in {"of", "for"} and len(name) > 2:
        name = name[2:]
    if not name or any(bare_word(t) in ORG_HEADS for t in name):
        return [], tokens, False
    return tokens[: last + 1], name, True


def sentence_mentions(s: Sentence, lower_words: set[str]) -> list[Mention]:
    text = s.text
    out: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    def add(m: Mention) -> None:
        out.append(m)
        taken.append((m.start, m.end))

    for m in UNNAMED_SOURCE.finditer(text):
        head = m.group("head")
        mods = m.group("mods").split()
        det = (m.group("det") or "").lower()
        if head.lower() in ("people", "persons", "person") and not m.group("tail"):
            continue
        if not det and not m.group("tail") and not mods:
            continue
        start = m.start()
        while mods and is_common_word(mods[0]):
            start = text.index(mods[0], start) + len(mods[0])
            mods = mods[1:]
            det = ""
        if any(is_common_word(w) for w in mods):
            continue
        if not det and not m.group("tail") and not mods:
            continue
        start = start if start == m.start() else start + 1
        # a named person after "spokesman" is the person, not an unnamed source
        after = text[m.end() : m.end() + 40]
        if re.match(r"\s+[A-Z][a-z]+\s+[A-Z]", after) and not m.group("tail"):
            continue
        if det == "the" and not m.group("tail"):
            continue
        key = "anon:" + " ".join(bare_word(w) for w in mods) + " " + singular(head)
        if m.group("tail"):
            # "sources familiar with the talks" and "sources familiar with the state of
            # negotiations" are two groups: what describes them is part of who they are
            key += "|" + " ".join(bare_word(w) for w in m.group("tail").split())
        surface = text[start : m.end()].strip()
        add(Mention(surface, s.id, start, m.end(), ANONYMOUS, key.strip()))

    for m in ADMINISTRATION.finditer(text):
        if not free(m.start(), m.end()):
            continue
        who = strip_possessive(m.group("who"))
        if bare_word(who) in COMMON_WORDS:
            continue
        start = m.start("who")
        add(
            Mention(text[start : m.end()], s.id, start, m.end(), GOVERNMENT, f"admin:{who.lower()}")
        )

    for m in GROUP_PHRASE.finditer(text):
        mods = m.group("mods").split()
        while mods and is_common_word(mods[0]):
            mods = mods[1:]
        if not mods:
            continue
        start = m.start("mods") + m.group("mods").index(mods[0])
        if not free(start, m.end()):
            continue
        if any(bare_word(w) in DAYS_AND_MONTHS for w in mods):
            continue
        words = [*mods, m.group("head")]
        key = "group:" + " ".join(singular(strip_possessive(w)) for w in words)
        add(Mention(text[start : m.end()], s.id, start, m.end(), GROUP, key))

    # "social media companies", "GOP committee members": kept when the group recurs, opens a
    # sentence or speaks (see analyse_parties)
    for m in LOWER_GROUP_PHRASE.finditer(text):
        mods = m.group("mods").split()
        while mods and is_common_word(mods[0]):
            mods = mods[1:]
        if not mods or any(is_common_word(w) or w.endswith("ly") for w in mods):
            continue
        start = m.start("mods") + m.group("mods").index(mods[0])
        end = m.end("head")
        if not free(start, end) or (mods[0][0].isupper() and not mods[0].isupper() and start):
            continue
        head = m.group("head").lower()
        head = "companies" if head in ("firms", "giants") else head  # "tech giants" = companies
        key = "group:" + " ".join(singular(w) for w in [*mods, head])
        weak = start > 0 and s.index > 1  # the lead sentence names what the story is about
        add(Mention(text[start:end], s.id, start, end, GROUP, key, weak=weak))

    words = re.findall(r"[A-Za-z][\w'’-]{3,}", text)
    headline = len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.7 * len(words)
    for m in NAME_RUN.finditer(text):
        tokens = m.group(0).split()
        if headline:  # "Trump Jr. Messaged With WikiLeaks": split at common words
            pos = m.start()
            piece: list[str] = []
            for t in [*tokens, ""]:
                if t and not (bare_word(t) in lower_words and not is_acronym(t)):
                    piece.append(t)
                    continue
                trimmed = _trim_run(piece, False, lower_words) if piece else []
                if trimmed:
                    at = text.index(trimmed[0], pos)
                    trimmed[-1] = strip_possessive(trimmed[-1])
                    if trimmed[-1]:
                        _emit_run(text, s, trimmed, at, free, add, lower_words)
                if t:
                    pos = text.index(t, pos) + len(t)
                piece = []
            continue
        first = m.start() == 0 or bool(re.match(r"^[\"“‘'(\[—–-]+\s*$", text[: m.start()]))
        raw_tokens = tokens
        tokens = _trim_run(tokens, first, lower_words)
        if not tokens:
            continue
        offset = m.start() + m.group(0).index(tokens[0])
        # "Mr. Obama's" -> "Mr. Obama"
        tokens[-1] = strip_possessive(tokens[-1])
        if not tokens[-1]:
            continue
        del raw_tokens
        _emit_run(text, s, tokens, offset, free, add, lower_words)
    out.sort(key=lambda x: x.start)
    return out


def _emit_run(
    text: str,
    s: Sentence,
    tokens: list[str],
    offset: int,
    free: Callable[[int, int], bool],
    add: Callable[[Mention], None],
    lower_words: set[str],
) -> None:
    # "Amy Klobuchar of Minnesota": a person's run ends before "of"; "Bank of America" does not
    for i, t in enumerate(tokens[1:-1], start=1):
        if (
            t in ("of", "for")
            and bare_word(tokens[i - 1]) not in ORG_HEADS | TITLE_WORDS
            and not any(bare_word(x) in ORG_HEADS for x in tokens[:i])
        ):
            tokens = tokens[:i]
            break
    # "the WikiLeaks Twitter account": the account's owner and the platform, not one name
    if len(tokens) > 1 and tokens[-1] in PLATFORMS:
        at = text.find(" ".join(tokens), offset)
        after = text[at + len(" ".join(tokens)) :].split()[:1] if at >= 0 else []
        if after and after[0][:1].islower():
            _emit_run(text, s, tokens[:-1], offset, free, add, lower_words)
            _emit_run(text, s, tokens[-1:], at + len(" ".join(tokens[:-1])), free, add, lower_words)
            return
    role, name, titled = split_title(tokens)
    surface = " ".join(tokens)
    start = text.find(surface, offset)
    if start < 0:
        start = offset
    end = start + len(surface)
    if not free(start, end):
        return
    low = [bare_word(t) for t in name]
    if all(
        (t in COMMON_WORDS and not w.isupper()) or t in TITLE_WORDS
        for t, w in zip(low, name, strict=True)
    ):
        return
    if len(name) == 1 and low[0] in DEMONYMS and not titled:
        return  # "Chinese", "American": adjectives here, the country is its own party
    if titled:
        suffix = low[-1] in NAME_SUFFIXES
        surname = low[-2] if suffix and len(low) > 1 else low[-1]
        key = f"person:{surname}" + (" jr" if suffix else "")
        add(
            Mention(
                surface,
                s.id,
                start,
                end,
                PERSON,
                key,
                role=" ".join(role),
                titled=True,
            )
        )
        return
    if low[-1] in EVENT_HEADS or low[-1] in PLACE_HEADS or low[0] in DAYS_AND_MONTHS:
        return
    if len(name) == 1 and low[0] in lower_words and not is_acronym(name[0]):
        return  # a capitalised common word ("Summit", "Internet")
    kind = kind_of(name)
    joined = " ".join(low)
    if joined in {a.lower() for a in US_ALIASES}:
        key = "gov:us"
    elif kind == PERSON:
        suffix = low[-1] in NAME_SUFFIXES
        surname = low[-2] if suffix and len(low) > 1 else low[-1]
        key = f"person:{surname}" + (" jr" if suffix else "")
    else:
        key = f"{kind}:{joined}"
    add(Mention(surface, s.id, start, end, kind, key))
    acr = ACRONYM_AFTER.match(text, end)
    if acr and kind != PERSON:
        a, b = acr.start(1), acr.end(1)
        if free(a, b):
            add(Mention(acr.group(1), s.id, a, b, kind, key))
