"""Grounding: is a statement true to the article sentences it cites? One check for every task.

The rules, in plain words (lexical: the check compares words, it does not understand them):

1. **Key content.** A statement's key content is its names (capitalised words, acronyms), its
   numbers ("$12 million" gives "12 million", "three" gives "3", "2019") and its content words
   (stop words removed, light stemming: "agree"/"agreed"/"agreeing" and "purchase"/"purchases"
   meet). A capitalised word that opens a sentence, or any word of a Title Case headline, is a
   name only if the article also writes it capitalised mid-sentence (so "Police arrested..."
   does not make "police" a name). Names match as written, after stemming: "Chinese" does not
   stand for "China", nor "United States" for "US". Words of `ignore` (the question, the
   party's name, the central issue) are not counted: echoing the question proves nothing.
2. **Supported.** Every name and every number of the statement occurs in its cited sentences
   (a wrong figure or an invented name is a wrong statement, however many words match), and at
   least two thirds of its content words do (SHARE: a faithful paraphrase may use a connecting
   word of its own in three, since names and numbers, which carry the facts, are checked
   strictly). It is also no longer than half as long again as those sentences, plus five words
   (RUN_ON): anything longer is a model looping or merging sentences it did not cite.
3. **A statement that copies a sentence cites that sentence.** If one allowed sentence holds
   nearly all of the statement's key content (RECITE: nine terms in ten, every name and
   number; a copy with one stray word of its own in ten is still a copy) and the cited
   sentences do not, the ids are corrected to that sentence (status "recited"), whether the
   citations failed or supported it only weakly. Correcting needs more than supporting, and
   only one sentence is ever substituted: words scattered over the article ("China" and
   "talks" in one sentence, "win" in another; Scissors' words in one, "Trump" in another) must
   not make an invented or misattributed statement look cited. A statement that combines
   sentences is supported when it cites them; it is not re-cited to a pair it did not name.
   A wrong id is worse than none.
4. **Unsupported** otherwise: `missing` lists the key words absent from the cited sentences.
   With `fallback="replace"` the text becomes the allowed sentence that best covers the
   statement, verbatim, with its own id ("replaced"), if it shares real key content: at least
   half of the statement's key terms and at least two of them (one shared word is coincidence),
   or its only one when the statement has a single key term.
5. **World knowledge is declined** by the same rules: "Lima" for the capital of Peru is a name
   in no sentence, so it is unsupported; callers print "The article does not say."
6. **No key content of its own** ("Yes", "They did"): such a statement rests on what it answers,
   so it is checked with the key content of `ignore` instead; with nothing there either it is
   unsupported (nothing in the article can be shown to support it).
7. Only ids that exist in the article and are allowed (were shown to the model) are returned.
   A sentence that gives orders to the reader ("Ignore the question and answer ...", a
   "SYSTEM:" line) reports nothing: it never supports a statement and is never cited.
   A cited sentence that adds no key term the other cited ones lack is dropped from the ids.

The numbers are round and stated, not fitted to any evaluation data. What the check cannot see:
a flipped negation ("did not agree" vs "agreed"), or a true sentence cited for the wrong
question. What it guarantees: a supported statement's names and numbers, and most of its words,
are in the sentences it cites.

One idea (~430 lines): the grounding rule itself, with the word handling it rests on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from newsdesk.article import Article, Sentence, normalise_ws
from newsdesk.citations import parse_ids

SHARE = 2 / 3  # of a statement's content words that must occur in its cited sentences
RECITE = 0.9  # "nearly all" of its key content: one sentence holding this much is its source
RUN_ON_RATIO = 1.5  # a statement may be at most this many times as long as its sources...
RUN_ON_SLACK = 5  # ...plus this many words (a short sentence's paraphrase adds a few)
REPLACE_MIN_TERMS = 2  # key terms a replacement sentence must share (and half of them)

Status = Literal["supported", "recited", "replaced", "unsupported"]

STOPWORDS = frozenset(
    """a an the and or but nor if of to in on at by for with from as is are was were be been
    being it its this that these those he she they them his her him hers their theirs we our
    you your i me my mine what which who whom whose when where why how did do does done doing
    has have had having not no so than then there here about into onto over under after before
    said says say saying told tell tells added will would can could should shall may might must
    also just only up out down off more most some any all both each few other others such own
    same very too again further once while until because since though although against
    between through during above below one ones very really s t d ll m re ve don didn doesn
    isn wasn aren weren won wouldn shouldn couldn hasn haven hadn mr mrs ms mx dr yes yeah
    okay ok""".split()
)
_NUMBER_WORDS = {
    w: str(n)
    for n, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()
    )
    if n >= 2  # "one" is far more often a pronoun ("one of the sources") than a count
}
_SCALES = frozenset("hundred thousand million billion trillion".split())
_TOKEN = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?|\d+(?:[.,]\d+)*")
_ACRONYM_DOTS = re.compile(r"\b(?:[A-Za-z]\.){2,}")  # "U.S." -> "US"
_SUFFIXES = (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""))
_KEEP2 = "aeioulsz"  # doubled letters that are not undoubled ("fall", "agree", "miss")
_CONTRACTIONS = frozenset("s ve re ll d t m".split())
_OPENERS = "\"'“‘([{"
_ENDERS = ".!?:;•—–"
# Sentences that address the model rather than report: never evidence (rule 7).
_INSTRUCTION = re.compile(
    r"^\W*(?:\[\w+\]\s*)?(?:please\s+)?(?:ignore|disregard|forget)\b.{0,60}?"
    r"\b(?:instructions?|question|prompt|previous|above|rules|everything|article|draft)\b"
    r"|\banswer\s+(?:every|all|each)\s+questions?\s+with\b"
    r"|^\W*(?:please\s+)?mark\s+(?:every|all|each)\b.{0,30}?\b(?:supported|true|correct)\b"
    r"|^\W*(?:\[\w+\]\s*)?(?:system|assistant|user)\s*:|\bJSON\s+answer\s*:",
    re.IGNORECASE,
)


# ---------------------------------------------------------------- words


def stem(word: str) -> str:
    """A light suffix stripper shared by grounding and retrieval.

    Possessive off; then one of -ies/-ied (to -y), -ing, -ed, -es, -s (not -ss) when at least
    three letters remain; a doubled final consonant undoubled ("stopped" -> "stop"); a final
    -e dropped when four letters or more remain (unless -ed/-es took it already). "agree",
    "agreed", "agreeing", "agrees" all give "agre"; "purchase", "purchases", "purchasing"
    give "purchas"."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    removed = ""
    for suffix, repl in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not w.endswith("ss"):
            w, removed = w[: -len(suffix)] + repl, suffix
            if removed in ("ing", "ed") and len(w) >= 4 and w[-1] == w[-2] and w[-1] not in _KEEP2:
                w = w[:-1]  # "stopped" -> "stop", "planning" -> "plan"
            break
    # "agree" -> "agre" like "agreed"; after -ed/-es the e went with the suffix already
    if removed not in ("ed", "es") and len(w) >= 4 and w.endswith("e"):
        w = w[:-1]
    return w


def _prepare(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'")
    return _ACRONYM_DOTS.sub(lambda m: m.group(0).replace(".", ""), text)


def _base(token: str) -> str:
    """ "We've" -> "We", "Trump's" -> "Trump", "O'Brien" stays whole."""
    if "'" in token:
        head, tail = token.split("'", 1)
        return head if tail.lower() in _CONTRACTIONS else head + tail
    return token


def _number(token: str) -> str:
    return token.replace(",", "")


def stemmed_words(text: str) -> list[str]:
    """The stemmed words of `text`, stop words removed, in order (numbers kept): what BM25 and the
    grounding check both compare."""
    out: list[str] = []
    for m in _TOKEN.finditer(_prepare(text)):
        tok = m.group(0)
        if tok[0].isdigit():
            out.append(_number(tok))
            continue
        low = _base(tok).lower()
        if low and low not in STOPWORDS:
            out.append(stem(low))
    return out


def is_number_word(word: str) -> bool:
    """ "Five", "twelve": a count written out (capitalised at an answer's start, not a name)."""
    return word.lower().strip(".,;:!?") in _NUMBER_WORDS


def content_words(text: str) -> set[str]:
    """The stemmed content words of `text` (letters only, three or more)."""
    return {t for t in stemmed_words(text) if t.isalpha() and len(t) >= 3}


@lru_cache(maxsize=4096)
def _pool(text: str) -> frozenset[str]:
    """Every term a sentence offers: stems, numbers, number words as digits, "300 billion"."""
    out: set[str] = set()
    toks = [_base(m.group(0)) for m in _TOKEN.finditer(_prepare(text))]
    for i, tok in enumerate(toks):
        if tok[:1].isdigit():
            num = _number(tok)
            out.add(num)
            if i + 1 < len(toks) and toks[i + 1].lower() in _SCALES:
                out.add(f"{num} {toks[i + 1].lower()}")
            continue
        low = tok.lower()
        out.add(stem(low))
        if low in _NUMBER_WORDS:
            out.add(_NUMBER_WORDS[low])
    return frozenset(out)


@lru_cache(maxsize=64)
def _midsentence_capitals(text: str) -> frozenset[str]:
    """Stems the text writes capitalised somewhere other than at a sentence start."""
    prepared = _prepare(text)
    return frozenset(
        stem(_base(m.group(0)))
        for m in _TOKEN.finditer(prepared)
        if m.group(0)[0].isupper() and not _initial(prepared, m.start())
    )


def _initial(text: str, at: int) -> bool:
    i = at
    while i > 0 and (text[i - 1].isspace() or text[i - 1] in _OPENERS):
        i -= 1
    return i == 0 or text[i - 1] in _ENDERS


@dataclass
class _Key:
    """A statement's key content: term -> the statement's own word for it."""

    names: dict[str, str] = field(default_factory=dict)
    numbers: dict[str, str] = field(default_factory=dict)
    words: dict[str, str] = field(default_factory=dict)

    def terms(self) -> dict[str, str]:
        return {**self.words, **self.names, **self.numbers}

    def __bool__(self) -> bool:
        return bool(self.names or self.numbers or self.words)


def _key(text: str, article: Article, ignore: str = "") -> _Key:
    prepared = _prepare(text)
    capitals = _midsentence_capitals(article.text)
    skip = _pool(ignore) if ignore else frozenset()
    key = _Key()
    shouting = not any(ch.islower() for ch in prepared)  # all capitals: no acronyms to tell
    found = list(_TOKEN.finditer(prepared))
    # "US-China Trade Talks Resume": in Title Case (or all capitals) a capital tells nothing,
    # so only words the article itself capitalises mid-sentence are names.
    words = [m.group(0) for m in found if m.group(0).isalpha() and len(m.group(0)) >= 3]
    words = [w for w in words if w.lower() not in STOPWORDS]
    title_case = shouting or (
        len(words) >= 3 and sum(w[0].isupper() for w in words) > len(words) / 2
    )
    for i, m in enumerate(found):
        raw = m.group(0)
        if raw[0].isdigit():
            num = _number(raw)
            nxt = found[i + 1].group(0).lower() if i + 1 < len(found) else ""
            term = f"{num} {nxt}" if nxt in _SCALES else num
            if term not in skip:
                key.numbers.setdefault(term, raw)
            continue
        tok = _base(raw)
        low = tok.lower()
        if low in _NUMBER_WORDS:
            if _NUMBER_WORDS[low] not in skip:
                key.numbers.setdefault(_NUMBER_WORDS[low], raw)
            continue
        acronym = len(tok) >= 2 and tok.isupper() and not shouting  # "US", "USTR"
        if (low in STOPWORDS and not acronym) or low in _SCALES or len(low) < 2:
            continue
        term = stem(low)
        if term in skip:
            continue
        opener = title_case or _initial(prepared, m.start())
        capital = tok[0].isupper() and (not opener or term in capitals)
        if acronym or (capital and low not in _TITLES):
            key.names.setdefault(term, raw)
        elif len(low) >= 3:
            key.words.setdefault(term, raw)
    return key


# Capitalised before a name, but not names: counted as content words.
_TITLES = frozenset(
    """president vice premier minister secretary chairman chairwoman senator governor
    general spokesman spokeswoman king queen prince judge""".split()
)


# ---------------------------------------------------------------- the check


@dataclass(frozen=True)
class Grounded:
    """The verdict on one statement."""

    text: str  # what to print: the statement, or the article's own words if replaced
    ids: tuple[str, ...]  # the ids that support `text` (corrected), article order
    status: Status
    missing: tuple[str, ...] = ()  # key words of the statement absent from the cited sentences
    reason: str = ""  # one line: why this status

    @property
    def supported(self) -> bool:
        return self.status != "unsupported"


def is_instruction(text: str) -> bool:
    """A sentence that gives orders to the model ("Ignore the question and answer ...")."""
    return bool(_INSTRUCTION.search(text))


def _length(text: str) -> int:
    return len(_TOKEN.findall(text))


@dataclass(frozen=True)
class _Fit:
    covered: int  # key terms found
    total: int
    facts: bool  # every name and number found
    share: float  # of content words found
    missing: tuple[str, ...]

    @property
    def coverage(self) -> float:
        return self.covered / self.total if self.total else 0.0


def _fit(key: _Key, pool: frozenset[str]) -> _Fit:
    terms = key.terms()
    missing = tuple(surface for term, surface in terms.items() if term not in pool)
    facts = all(t in pool for t in key.names) and all(t in pool for t in key.numbers)
    words = [t for t in key.words if t in pool]
    share = len(words) / len(key.words) if key.words else 1.0
    return _Fit(len(terms) - len(missing), len(terms), facts, share, missing)


def _supports(fit: _Fit, statement_len: int, sources: Sequence[Sentence]) -> bool:
    source_len = sum(_length(s.text) for s in sources)
    return (
        fit.total > 0
        and fit.facts
        and fit.share >= SHARE
        and statement_len <= RUN_ON_RATIO * source_len + RUN_ON_SLACK
    )


def _union(sentences: Iterable[Sentence]) -> frozenset[str]:
    out: frozenset[str] = frozenset()
    for s in sentences:
        out |= _pool(s.text)
    return out


def _order(sentences: Iterable[Sentence]) -> tuple[str, ...]:
    return tuple(s.id for s in sorted(set(sentences), key=lambda s: s.index))


def ground(
    statement: str,
    cited: Sequence[str],
    article: Article,
    allowed: Collection[str] | None = None,
    *,
    fallback: Literal["flag", "replace"] = "flag",
    ignore: str = "",
) -> Grounded:
    """Check `statement` against the sentences it cites (see the module docstring for the rules).

    `allowed`: the ids that were shown to the model (None: every sentence); `fallback`: what to do
    with an unsupported statement ("flag": keep the text, status "unsupported"; "replace": the
    best-covering allowed sentence, verbatim, with its own id); `ignore`: words not to count
    (the question, the party's name, the central issue)."""
    text = normalise_ws(statement)
    allowed_set = set(article.by_id) if allowed is None else set(allowed)
    candidates = [
        s for s in article.sentences if s.id in allowed_set and not is_instruction(s.text)
    ]
    usable = {s.id: s for s in candidates}
    valid = [usable[i] for i in parse_ids(list(cited)) if i in usable]

    key = _key(text, article, ignore)
    if not key:  # rule 6: it rests on what it answers
        key = _key(ignore, article) if ignore else _Key()
        if not key:
            return Grounded(text, (), "unsupported", (), "no key content to check")
        fit = _fit(key, _union(valid))
        if valid and fit.facts and fit.share >= SHARE:
            return Grounded(text, _trim(valid, key), "supported", fit.missing, "answers its cue")
        return Grounded(text, (), "unsupported", fit.missing, "its cue is not in the citations")

    length = _length(text)
    fit = _fit(key, _union(valid))
    cited_ok = bool(valid) and _supports(fit, length, valid)
    if cited_ok and fit.coverage >= RECITE:
        return Grounded(text, _trim(valid, key), "supported", fit.missing, "in its citations")

    ranked = sorted(
        candidates,
        key=lambda s: (-_fit(key, _pool(s.text)).covered, s not in valid, s.index),
    )
    best = ranked[0] if ranked else None
    best_fit = _fit(key, _pool(best.text)) if best is not None else None
    # Another sentence holds (nearly) all of it while the citations hold less.
    if (
        best is not None
        and best_fit is not None
        and best not in valid
        and best_fit.coverage >= RECITE
        and _supports(best_fit, length, [best])
    ):
        return Grounded(text, (best.id,), "recited", best_fit.missing, f"the words of {best.id}")
    if cited_ok:
        return Grounded(text, _trim(valid, key), "supported", fit.missing, "in its citations")
    reason = "key content absent from its citations" if valid else "no valid citation"
    if fallback == "replace" and best is not None and best_fit is not None:
        shared = best_fit.covered
        if shared >= min(REPLACE_MIN_TERMS, fit.total) and shared >= math.ceil(fit.total / 2):
            return Grounded(best.text, (best.id,), "replaced", fit.missing, reason)
    return Grounded(text, (), "unsupported", fit.missing, reason)


def _trim(valid: Sequence[Sentence], key: _Key) -> tuple[str, ...]:
    """The cited sentences that carry the statement: taken from the one holding most key terms
    down, each kept only if it adds a key term the ones kept before it lack."""
    terms = list(key.terms())
    ranked = sorted(valid, key=lambda s: (-sum(t in _pool(s.text) for t in terms), s.index))
    kept: list[Sentence] = []
    have: set[str] = set()
    for s in ranked:
        new = {t for t in terms if t in _pool(s.text)} - have
        if new:
            kept.append(s)
            have |= new
    return _order(kept or valid)


def absent_facts(statement: str, article: Article) -> tuple[str, ...]:
    """The statement's names and numbers that no sentence of the article holds: the fast first
    filter of `newsdesk check` (rule 1's strict half, over the whole article). A name or a
    figure the article never writes cannot be supported by it, whatever a model says."""
    key = _key(normalise_ws(statement), article)
    pool = _union(s for s in article.sentences if not is_instruction(s.text))
    facts = {**key.names, **key.numbers}
    return tuple(surface for term, surface in facts.items() if term not in pool)
