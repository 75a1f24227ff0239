"""What `summarize` decides without a model: which sentences are summary material and in what
order (news puts the point first, so the lede weighs most; a mild centrality term, the words a
sentence shares with the rest of the article, breaks ties), how a sentence reads as a line, and
whether a line's own wording is grounded in the sentences it cites."""

from __future__ import annotations

import math
import re
from collections import Counter

from newsdesk.article import Article, Sentence
from newsdesk.errors import InputError
from newsdesk.grounding import Grounded, ground
from newsdesk.retrieval import tokenize

LENGTHS: dict[str, int] = {"headline": 1, "short": 3, "bullets": 5, "long": 8}
MIN_WORDS = 6  # shorter sentences are fragments, not summary material
MIN_LINE_WORDS = 3  # a summary line is a sentence, not a phrase

# Page furniture and teasers that are not news: skipped as summary material.
_JUNK = re.compile(
    r"^(?:scroll down|click here|follow\b|published:|updated:|last updated|by \.|read more|"
    r"watch\b|video\b|photo\b|sign up|subscribe|share this|advertisement)",
    re.IGNORECASE,
)
# Leading dateline/credit noise inside the first sentence: "(CNN)", "Scroll down for video".
_PREFIX = re.compile(
    r"^(?:\((?:cnn|ew\.com|[a-z .]{2,30})\)\s*|scroll down for video\s*[:.-]?\s*)",
    re.IGNORECASE,
)


def line_count(length: str) -> int:
    try:
        return LENGTHS[length]
    except KeyError:
        raise InputError(f"--length must be one of {', '.join(LENGTHS)}, not {length!r}") from None


def clean_text(text: str) -> str:
    """A sentence as a summary line: dateline/credit prefixes such as "(CNN)" removed."""
    previous = None
    while previous != text:
        previous = text
        text = _PREFIX.sub("", text).strip()
    return text


def is_material(sentence: Sentence) -> bool:
    """Not page furniture and not a fragment."""
    text = clean_text(sentence.text)
    return len(text.split()) >= MIN_WORDS and not _JUNK.match(text)


def rank_sentences(article: Article, sentences: list[Sentence] | None = None) -> list[Sentence]:
    """Summary material, best first: the lede weighs most, centrality breaks near-ties."""
    pool = article.sentences if sentences is None else sentences
    tokens = {s.id: set(tokenize(s.text)) for s in article.sentences}
    df: Counter[str] = Counter()
    for words in tokens.values():
        df.update(words)
    n = max(1, len(article.sentences))

    def centrality(s: Sentence) -> float:
        words = tokens[s.id]
        if not words:
            return 0.0
        return sum(df[w] - 1 for w in words) / math.sqrt(len(words)) / n

    scores = {s.id: centrality(s) for s in pool}
    top = max(scores.values(), default=0.0) or 1.0
    material = [s for s in pool if is_material(s)] or list(pool)
    return sorted(material, key=lambda s: (-(1.0 / s.index + 0.2 * scores[s.id] / top), s.index))


def grounded(text: str, ids: list[str], article: Article, shown: list[str]) -> Grounded | None:
    """The line's wording checked by the one grounding rule (`grounding.ground`): its verdict
    when the line keeps its wording (ids corrected to the shown sentences whose words it
    uses), None when it does not (too short to be a line, or not in the sentences' words)."""
    if len(text.split()) < MIN_LINE_WORDS:
        return None
    verdict = ground(text, ids, article, shown)
    return verdict if verdict.supported else None
