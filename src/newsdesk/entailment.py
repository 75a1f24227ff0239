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
    """The model's reading of one claim, and the sentences it read it against."""

    evidence: tuple[str, ...]
    verdict: Reading


class Judgement(BaseModel):
    """The model's reply for one claim: a verdict only. The sentences it judges against are
    chosen by rule (`nearest`) and shown beside the claim, so it writes a few tokens."""

    verdict: Reading


_WORDS = re.compile(r"[^\W_]+")


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

    def _supported(self) -> bool:
        return self.status == "supported"

    supported = computed_field(property(_supported))


def reading(judgement: Judgement | None, near: Sequence[Sentence]) -> ClaimCheck | None:
    """The model's reading of a claim, with the sentences it was shown beside it."""
    if judgement is None:
        return None
    return ClaimCheck(tuple(s.id for s in near), judgement.verdict)


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
    if reading is not None:
        checks.append("entailment")
        if reading.verdict == "contradicted":
            ids = list(reading.evidence) or lexical_ids or list(fallback_ids)
            where = f" by {', '.join(ids)}" if ids else ""
            return Verdict(
                status="contradicted", reason=f"contradicted{where}", ids=ids, checks=checks
            )
        if reading.verdict == "not stated":
            # the sentences it was read against, shown so a reader can see what was compared
            near = list(reading.evidence)
            where = f" (closest: {', '.join(near)})" if near else ""
            return Verdict(
                status="unsupported", reason=f"not stated{where}", ids=near, checks=checks
            )
    read = list(reading.evidence) if reading is not None else []
    ids = lexical_ids or read or list(fallback_ids)
    checks.append("attribution")
    other = unattributed(text, [sources[i] for i in ids if i in sources])
    if other is not None and not attributed_ok:
        return Verdict(
            status="attributed",
            reason=f"said by {mid_sentence(other)}, not stated as fact by the article",
            ids=ids,
            source=other,
            checks=checks,
        )
    reason = "stated in its sentences" if reading is not None else "in its sentences (lexical)"
    return Verdict(status="supported", reason=reason, ids=ids, checks=checks)
