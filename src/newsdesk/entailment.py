"""The semantic layer of the check, in pure terms (no call here): a claim, the model's reading
of it, and the one rule that turns the lexical verdict, that reading and the sentences'
sources into what a reader is shown.

A statement newsdesk prints passes three checks, cheapest first:

1. **lexical** (`grounding`): its names, numbers and most words are in the sentences it cites
   (for a draft, which cites nothing: no name or number the article never writes);
2. **entailment** (`tasks.verify`, one short call per statement, on the article
   prefix already read): do the sentences *state* it? The model answers "stated", "not stated"
   or "contradicted", reading it beside its nearest sentences (chosen by rule, `nearest`);
3. **attribution** (`attribution`): a statement drawn only from what someone says, that does
   not say who, states as fact what the article only reports: "attributed elsewhere".

`decide` applies them in that order; the first that fails gives the verdict and its reason.
With no entailment reading (a base model, which cannot judge; or a reply that failed twice)
the verdict says so in `checks`, and rests on the other two.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field, computed_field

from newsdesk.article import Sentence
from newsdesk.attribution import Source, mid_sentence, unattributed
from newsdesk.grounding import Grounded
from newsdesk.retrieval import top_k
from newsdesk.schema import Record

Status = Literal["supported", "unsupported", "contradicted", "attributed"]
Reading = Literal["stated", "not stated", "contradicted"]


@dataclass(frozen=True)
class Claim:
    """One statement to verify: its text, the ids it cites, the question it answers ("" for a
    statement that stands alone)."""

    text: str
    cited: tuple[str, ...] = ()
    question: str = ""


NEAR = 2  # sentences shown beside each claim: its own citations first, then BM25's best


@dataclass(frozen=True)
class ClaimCheck:
    """The model's reading of one claim, the sentences it read it against, and how sure it was
    that the claim is stated (`stated_probability`; None when the endpoint gave no
    log-probabilities)."""

    evidence: tuple[str, ...]
    verdict: Reading
    confidence: float | None = None


class Judgement(BaseModel):
    """The model's reply for one claim: a verdict only. The sentences it judges against are
    chosen by rule (`nearest`) and shown beside the claim, so it writes a few tokens."""

    verdict: Reading


_WORDS = re.compile(r"[^\W_]+")
_VERDICT_OPENS = re.compile(r'"verdict"\s*:\s*"')
_READINGS: tuple[Reading, ...] = ("stated", "not stated", "contradicted")


def stated_probability(
    tokens: Sequence[tuple[str, Sequence[tuple[str, float]]]],
) -> float | None:
    """The model's probability that the claim is stated, from its reply's tokens (each with
    its likeliest alternatives and their log-probabilities): at the token where the verdict's
    value begins, the mass of the alternatives that begin "stated", over the mass of those
    that begin any of the three verdicts. A graded reading ranks claims where the verdict
    only sorts them in three; None when the reply has no such token or no alternative
    begins a verdict."""
    before = ""
    for token, top in tokens:
        opened = _VERDICT_OPENS.search(before + token)
        if opened is None or not (before + token)[opened.end() :]:
            before += token
            continue
        mass = dict.fromkeys(_READINGS, 0.0)
        for alt, logprob in top:
            text = before + alt
            m = _VERDICT_OPENS.search(text)
            value = text[m.end() :].split('"')[0] if m else ""
            for r in _READINGS:
                if value and r.startswith(value):
                    mass[r] += math.exp(logprob)
                    break
        total = sum(mass.values())
        return round(mass["stated"] / total, 4) if total else None
    return None


def _words(text: str) -> str:
    return " ".join(_WORDS.findall(text.lower()))


def verbatim(text: str, sentences: Sequence[Sentence]) -> Sentence | None:
    """The sentence that holds `text` word for word (case and punctuation aside), if any: a
    statement the article writes verbatim is stated, negations and all, with no model asked.
    Four words at least: a shorter run ("the talks") says nothing on its own."""
    words = _words(text)
    if len(words.split()) < 4:
        return None
    return next((s for s in sentences if f" {words} " in f" {_words(s.text)} "), None)


def nearest(claims: Sequence[Claim], shown: Sequence[Sentence]) -> list[list[Sentence]]:
    """The sentences shown beside each claim, in article order: its own valid citations first,
    then the shown sentences BM25 ranks best for it (with its question), NEAR in all. A small
    model compares a claim with its premise far better when the premise is next to it."""
    ids = [s.id for s in shown]
    docs = [s.text for s in shown]
    out: list[list[Sentence]] = []
    for c in claims:
        picks = [i for i in c.cited if i in ids][:NEAR]
        for k in top_k(docs, f"{c.question} {c.text}", NEAR + len(picks)):
            if len(picks) < NEAR and ids[k] not in picks:
                picks.append(ids[k])
        out.append([shown[ids.index(i)] for i in sorted(picks, key=ids.index)])
    return out


class Verdict(Record):
    """What the check says of one statement."""

    status: Status
    reason: str = ""  # one line: "not stated", "contradicted by S15", "said by Mr Trump"
    ids: list[str] = Field(default_factory=list)  # the sentences that state (or contradict) it
    source: Source | None = None  # "attributed": who says it
    checks: list[str] = Field(default_factory=list)  # the layers that ran
    # the reader's probability that the sentences state it; absent when no model read it
    confidence: float | None = Field(default=None, exclude_if=lambda c: c is None)

    def _supported(self) -> bool:
        return self.status == "supported"

    supported = computed_field(property(_supported))


def reading(
    judgement: Judgement | None, near: Sequence[Sentence], confidence: float | None = None
) -> ClaimCheck | None:
    """The model's reading of a claim, with the sentences it was shown beside it."""
    if judgement is None:
        return None
    return ClaimCheck(tuple(s.id for s in near), judgement.verdict, confidence)


def decide(
    text: str,
    lexical: Grounded | None,
    reading: ClaimCheck | None,
    sources: Mapping[str, Source],
    *,
    fallback_ids: Sequence[str] = (),
    attributed_ok: bool = False,
) -> Verdict:
    """The verdict on one statement (see the module docstring for the order).

    `lexical`: the grounding verdict (None: no lexical check applies, e.g. a draft sentence
    that passed the article-wide filter); `fallback_ids`: where the statement is read when
    neither layer names a sentence; `attributed_ok`: the caller attributes the statement itself
    (ask prefixes "According to ..."), so a missing attribution is not a failure."""
    checks = ["lexical"]
    if lexical is not None and not lexical.supported:
        return Verdict(status="unsupported", reason=lexical.reason, checks=checks)
    lexical_ids = list(lexical.ids) if lexical is not None else []
    sure = reading.confidence if reading is not None else None

    def verdict(
        status: Status, reason: str, ids: list[str], source: Source | None = None
    ) -> Verdict:
        return Verdict(
            status=status, reason=reason, ids=ids, source=source, checks=checks, confidence=sure
        )

    if reading is not None:
        checks.append("entailment")
        if reading.verdict == "contradicted":
            ids = list(reading.evidence) or lexical_ids or list(fallback_ids)
            return verdict("contradicted", f"contradicted{_where(' by ', ids)}", ids)
        if reading.verdict == "not stated":
            # the sentences it was read against, shown so a reader can see what was compared
            near = list(reading.evidence)
            return verdict("unsupported", f"not stated{_where(' (closest: ', near, ')')}", near)
    read = list(reading.evidence) if reading is not None else []
    ids = lexical_ids or read or list(fallback_ids)
    checks.append("attribution")
    other = unattributed(text, [sources[i] for i in ids if i in sources])
    if other is not None and not attributed_ok:
        said = f"said by {mid_sentence(other)}, not stated as fact by the article"
        return verdict("attributed", said, ids, other)
    reason = "stated in its sentences" if reading is not None else "in its sentences (lexical)"
    return verdict("supported", reason, ids)


def _where(head: str, ids: Sequence[str], tail: str = "") -> str:
    """`head` + the ids + `tail`, or "" for no ids."""
    return f"{head}{', '.join(ids)}{tail}" if ids else ""
