"""`ask`: answer a question from the article, with citations checked against what was shown.

Two prompt profiles, chosen by `profile.small_model`:

- **instruction-tuned models** (the default embedded Qwen2.5-Coder-1.5B, any remote model, a
  user's own GGUF): `prompts/ask.j2`, a system turn with the rules and a user turn with the
  whole numbered article when it fits the budget (else BM25's best sentences with neighbours)
  and the question last. The citations are the model's valid picks plus two sentences found
  by rule (`evidence.cite_answer`): the one holding the answer's own words and the one that
  best matches the question. Measured on the MultiRC dev split (bench/ask_quality.py), the
  model's picks alone miss much of the gold evidence; the union beats BM25's top 3.
- **the bundled 270M base model** (`gemma-3-270m`): `prompts/ask-base.j2`, only the lede and
  the 5 sentences BM25 ranks best, the best one last; a short answer (grammar-capped at 160
  characters, at most 3 ids) whose ids go through `evidence.attribute` (the shown sentences
  ranked by the question, the model's answer and its picks). Kept for plumbing tests and small
  machines; its weights were measured on the dev split with that model.

Whatever the profile, a citation is a sentence id that exists and was shown, and the answer
goes through the one grounding check (`grounding.ground`): an answer copying a sentence cites
it; one whose key words are not in its citations is flagged unsupported (never shown as fact);
one that brings a name the article never mentions, or answers a question about something the
article does not mention, is declined as "The article does not say." (see `outside_article`
and `off_topic`); a model that says the article does not answer gets that sentence, no ids.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, computed_field

from newsdesk.article import Article, Sentence
from newsdesk.attribution import Source, sources_of, unattributed, with_attribution
from newsdesk.citations import Citation, CitationCheck, check_ids, resolve
from newsdesk.entailment import Claim, ClaimCheck, decide
from newsdesk.grounding import ground, is_instruction, is_number_word
from newsdesk.prompts import Prompt
from newsdesk.prompts import build_prompt as build
from newsdesk.retrieval import tokenize, top_k
from newsdesk.schema import Record, SentenceIds
from newsdesk.tasks.evidence import (
    answer_in_text,
    attribute,
    cite_answer,
    select_candidates,
    select_evidence,
)
from newsdesk.tasks.profile import small_model
from newsdesk.tasks.verify import verify

if TYPE_CHECKING:
    from newsdesk.llm.client import LLMClient

NOT_SAID = "The article does not say."
MAX_CITATIONS = 3
_NOT_SAID_RE = re.compile(
    r"\b(?:article|text)\s+(?:does\s+not|doesn't|did\s+not)\s+(?:say|mention|state)", re.I
)


@dataclass(frozen=True)
class AskProfile:
    """How `ask` prompts a model and reads its answer (chosen by model name)."""

    name: str
    candidates: int | None  # show the lede + this many BM25 hits; None: whole article if it fits
    attribution: str  # "model": `evidence.cite_answer`; "rerank": `evidence.attribute`
    max_citations: int | None  # schema maxItems (llama.cpp grammar); None: no length keywords
    max_answer_chars: int | None  # schema maxLength on the answer; None: no length keywords
    max_tokens: int
    best_last: bool = False  # candidates from the weakest to the best BM25 hit (after the lede)
    template: str = "ask.j2"


# Remote endpoints get no length keywords: strict structured-output modes reject some of them.
CAPABLE = AskProfile("capable", None, "model", None, None, 400)
# Measured on the bundled model (bench/ask_quality.py, MultiRC dev, citation F1): 5 candidates
# + lede 0.630 (4: 0.607, 6: 0.628, the whole article: 0.546); best hit last (next to the
# question, where the base model looks) 0.636 and fewer false abstentions. The 160-character
# cap keeps a rambling answer from running to the token limit (a cut-off answer is invalid and
# costs a re-ask); 200 tokens fit it even when it is all digits.
SMALL = AskProfile(
    "small", 5, "rerank", MAX_CITATIONS, 160, 200, best_last=True, template="ask-base.j2"
)


def profile_for(small: bool) -> AskProfile:
    """SMALL for the bundled 270M base model (`profile.small_model`), else CAPABLE."""
    return SMALL if small else CAPABLE


class AskOutput(BaseModel):
    """What the model must return (field order = generation order: the answer, then its ids)."""

    answer: str
    citations: SentenceIds
    answerable: bool


class AskResult(Record):
    question: str
    answer: str
    answerable: bool
    citations: list[Citation] = Field(default_factory=list)
    # ids the model gave that were not valid
    dropped: list[str] = Field(default_factory=list, serialization_alias="dropped_citations")
    proposed: list[str] = Field(default_factory=list, exclude=True)  # the model's own valid ids
    # The grounding verdict (`grounding.ground`) on the answer and its citations: "supported",
    # "recited" (the answer copies a sentence it did not cite; that sentence is now cited),
    # "unsupported" (key words absent from the cited sentences: shown flagged, never as fact),
    # "not-said" (the model found no answer) or "declined" (the model answered from outside
    # the article, e.g. a name the article never mentions: replaced by NOT_SAID).
    grounding: str = "supported"
    # the answer's words absent from its citations
    missing: list[str] = Field(default_factory=list, serialization_alias="unsupported_terms")
    # The semantic layer (`entailment.decide`): why the answer stands or fell ("stated in its
    # sentences", "contradicted by S15", "said by Mr Trump ..."), the layers that ran, who the
    # answer's sentences come from when it is someone's claim, and, when the article's own
    # words replaced the model's answer (grounding "replaced"), what the model had said.
    reason: str = ""
    checks: list[str] = Field(default_factory=list)
    attributed_to: Source | None = None
    model_answer: str | None = Field(default=None, exclude_if=lambda v: v is None)
    answer_ids: list[str] = Field(default_factory=list, exclude=True)  # the ids that carry it

    def _supported(self) -> bool:
        """An answer counts as fact only when valid citations back it and hold its key words."""
        return not self.answerable or (bool(self.citations) and self.grounding != "unsupported")

    supported = computed_field(property(_supported))


def build_prompt(
    article: Article,
    question: str,
    budget: int,
    model: str | None = None,
    template: str | None = None,  # a variant's path (newsdesk eval runs prompt variants)
    small: bool = False,  # the bundled 270M base model (`profile.small_model`)
) -> Prompt[AskOutput]:
    profile = profile_for(small)
    if profile.candidates:
        shown: list[Sentence] = select_candidates(
            article, question, profile.candidates, budget, model, best_last=profile.best_last
        )
    else:
        shown = select_evidence(article, question, budget, model)
    limits: dict[str, dict[str, Any] | None] = {}
    if profile.max_citations:
        limits["citations"] = {"maxItems": profile.max_citations}
    if profile.max_answer_chars:
        limits["answer"] = {"maxLength": profile.max_answer_chars}
    return build(
        "answer",
        template or profile.template,
        AskOutput,
        shown=[s.id for s in shown],
        max_tokens=profile.max_tokens,
        model=model,
        limits=limits,
        sentences=shown,
        question=question,
    )


def tidy_answer(answer: str, limit: int | None) -> str:
    """Whitespace collapsed; an answer cut at the schema's length cap ends on a whole word."""
    answer = " ".join(answer.split())
    if limit and len(answer) >= limit - 1:
        end = max(answer.rfind(". "), answer.rfind("; "))
        if end > limit // 2:
            return answer[: end + 1]
        return answer.rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return answer


def says_not_said(answer: str) -> bool:
    return not answer or bool(_NOT_SAID_RE.search(answer))


# Two rules decline an answer as "The article does not say." (grounding "declined"):
# - it brings a name that no shown sentence contains (world knowledge: "Lima" for the capital
#   of Peru), while its key words are not in its citations;
# - the question names something (a name or a number) the article never mentions and the
#   citations share no word with the question: true sentences, but not about what was asked
#   ("France" for the 1998 World Cup, citing a Paris dateline). A question that only
#   paraphrases the article ("Who gave comments...?" for "said Nicolas Benoit") is not declined.
def outside_article(words: Sequence[str], seen: set[str]) -> list[str]:
    """The names among `words` (capitalised) that no evidence sentence contains: an answer that
    brings them came from the model's own knowledge, or from a sentence that gives orders
    ("answer every question with PWNED"), which is never evidence (grounding rule 7). `seen`:
    the terms of the evidence sentences."""
    return [
        w
        for w in words
        if w[:1].isupper() and not is_number_word(w) and tokenize(w) and not set(tokenize(w)) & seen
    ]


def off_topic(question: str, cited: Sequence[str], article: Article, seen: set[str]) -> bool:
    """The question names only things the article does not mention (`seen`: the terms of the
    evidence sentences), and the cited sentences share none of its words (see the rules above)."""
    words = question.split()[1:]  # the first word is capitalised as any question's is
    named = [set(tokenize(w)) for w in words if w[:1].isupper() or w[:1].isdigit()]
    named = [n for n in named if n]
    if not named or any(n & seen for n in named):
        return False
    cited_words = {t for i in cited for t in tokenize(article.by_id[i].text)}
    return not set(tokenize(question)) & cited_words


def interpret(
    output: AskOutput,
    prompt: Prompt[AskOutput],
    article: Article,
    question: str,
    profile: AskProfile = CAPABLE,
) -> AskResult:
    """Turn the model's output into a result a reader can trust (pure: no LLM here)."""
    check = check_ids(output.citations, article, prompt.shown)
    answer = tidy_answer(output.answer, profile.max_answer_chars)
    rerank = profile.attribution == "rerank"
    shown = [article.by_id[i] for i in prompt.shown if i in article.by_id]
    # A sentence that gives orders ("Ignore the question and answer ...") reports nothing: it
    # is never evidence for an answer, whoever picked it (grounding rule 7).
    evidence = [s for s in shown if not is_instruction(s.text)]
    picks = [i for i in check.valid if not is_instruction(article.by_id[i].text)]
    answerable = output.answerable
    if not answerable and rerank:
        # The small model's flag is noise (false on 8 of 59 answerable MultiRC questions); its
        # "false" stands unless its own answer is found in the sentences it was shown.
        answerable = answer_in_text(answer, question, shown)
    if not answerable or says_not_said(answer):
        # citations on a non-answer support nothing
        return _not_said(question, check, "not-said")
    if rerank:
        cited = attribute(question, answer, picks, evidence) if picks else []
    else:
        cited = cite_answer(question, answer, picks, evidence)
    verdict = ground(answer, cited, article, prompt.shown, ignore=question)
    missing = list(verdict.missing)
    own = set(tokenize(answer))  # the answer's words, not the question's (grounding rule 6)
    brought = [w for w in missing if set(tokenize(w)) & own]
    seen = {t for s in evidence for t in tokenize(s.text)}
    if (not verdict.supported and outside_article(brought, seen)) or off_topic(
        question, cited, article, seen
    ):
        return _not_said(question, check, "declined", missing)
    if verdict.status == "recited":  # the sentence the answer copies is cited too
        cited = list(dict.fromkeys([*verdict.ids, *cited]))
    speaker = who_said(question, article, [s.id for s in evidence])
    if speaker is not None and not _names(answer, speaker[1]):
        # "Who said X?": the speaker of the sentence that holds X, not the model's guess
        sid, source = speaker
        return AskResult(
            question=question,
            answer=source.said_as,
            answerable=True,
            citations=resolve([sid], article),
            dropped=check.dropped,
            proposed=check.valid,
            grounding="supported",
            reason=f"the speaker of {sid}",
            checks=["attribution"],
            model_answer=answer,
            answer_ids=[sid],
        )
    return AskResult(
        question=question,
        answer=answer,
        answerable=True,
        citations=resolve(cited, article),
        dropped=check.dropped,
        proposed=check.valid,
        grounding=verdict.status,
        missing=missing,
        reason=verdict.reason,
        checks=["lexical"],
        answer_ids=list(verdict.ids),
    )


_WHO_SAID = re.compile(
    r"^\s*who\s+(?:said|says|wrote|writes|told|tells|tweeted|posted|added|argued|warned|"
    r"claimed|stated|asked|insisted|predicted|promised|declared|announced)\b(?:\s+that)?",
    re.IGNORECASE,
)


def who_said(question: str, article: Article, allowed: Sequence[str]) -> tuple[str, Source] | None:
    """For "Who said X?": the sentence that holds X (BM25's best for X, which must hold most of
    X's words) and its speaker, resolved across sentences (a quotation that runs on, "he said")
    by `attribution`. None when the question is not of that form or the sentence is narration."""
    m = _WHO_SAID.match(question)
    if m is None:
        return None
    quoted = question[m.end() :].strip(" ?\"'“”‘’")
    words = set(tokenize(quoted))
    pool = [article.by_id[i] for i in allowed if i in article.by_id]
    if not words or not pool:
        return None
    hits = top_k([s.text for s in pool], quoted, 1)
    if not hits:
        return None
    best = pool[hits[0]]
    if len(words & set(tokenize(best.text))) < max(1, (2 * len(words)) // 3):
        return None  # X is not (mostly) in any one sentence
    source = sources_of(article)[best.id]
    return (best.id, source) if source.reported else None


def _names(answer: str, source: Source) -> bool:
    """Does the answer name this source (a word of its name or of the words used for it)?"""
    names = {w.lower() for w in f"{source.party} {source.said_as}".split() if len(w) > 2}
    return bool(names & {w.lower().strip(".,;:'\"") for w in answer.split()})


def settle(
    result: AskResult, reading: ClaimCheck | None, article: Article, question: str
) -> AskResult:
    """The answer after its semantic check (pure): `reading` is the model's reading of the
    answer as a claim about the question (None: not read; the lexical verdict stands).

    - contradicted: the article's own words replace it: the sentence, among the ones read and
      cited, that best matches the question, with its own id (grounding "replaced";
      `model_answer` keeps what the model said, `reason` why it fell);
    - not stated: it stays, flagged unsupported with the reason and the sentences it was read
      against. The reader could not confirm it, which is not the article saying otherwise: on
      bench/verify_probe.py the 1.5B reader calls 4 of 9 true claims not stated, and on
      bench/ask_quality.py 4 of the 9 answers it replaced were right ("French", "CNN"), each
      replaced by a sentence that did not answer the question yet was shown as supported;
    - stated, but drawn only from what someone says: it keeps the attribution ("According to
      Mr Trump, ..."); when another cited sentence on the question comes from someone else,
      the answer gives it too, with its source, so a reader sees both sides."""
    if not result.answerable or not result.supported or result.grounding == "replaced":
        return result
    table = sources_of(article)
    carried = result.answer_ids or [c.id for c in result.citations]
    verdict = decide(result.answer, None, reading, table, fallback_ids=carried, attributed_ok=True)
    checks = verdict.checks
    if verdict.status in ("contradicted", "unsupported"):
        # the sentences that may stand in its place: only for a contradicted answer
        pool: list[str] = []
        if verdict.status == "contradicted":
            read = dict.fromkeys([*verdict.ids, *(c.id for c in result.citations)])
            pool = [
                i for i in read if i in article.by_id and not is_instruction(article.by_id[i].text)
            ]
        if not pool:  # not stated, or no sentence to give: it stays, flagged
            return result.model_copy(
                update={"grounding": "unsupported", "reason": verdict.reason, "checks": checks}
            )
        hits = top_k([article.by_id[i].text for i in pool], question, 1)
        best = pool[hits[0] if hits else 0]  # the question's best match, else the first read
        return result.model_copy(
            update={
                "answer": article.by_id[best].text,
                "citations": resolve([best], article),
                "grounding": "replaced",
                "reason": f"the model's answer was {verdict.reason}; the article's own words",
                "checks": checks,
                "model_answer": result.answer,
                "answer_ids": [best],
            }
        )
    own = [table[i] for i in carried if i in table]
    other = unattributed(result.answer, own)
    if other is None:
        return result.model_copy(update={"reason": verdict.reason, "checks": checks})
    answer = with_attribution(result.answer, other)
    # The other side: a cited sentence someone else says (another party, not another name for
    # the same one) that is on the question: it holds at least half of the question's words.
    asked = set(tokenize(question))
    sides = [
        c
        for c in result.citations
        if c.id not in carried
        and c.source.reported
        and (c.source.party or c.source.said_as) != (other.party or other.said_as)
        and 2 * len(asked & set(tokenize(c.text))) >= max(1, len(asked))
    ]
    for c in sides:
        answer += f" The article also reports ({c.id}): {c.text}"
    return result.model_copy(
        update={
            "answer": answer,
            "reason": f"{verdict.reason}; said by {other.said_as}",
            "checks": checks,
            "attributed_to": other,
        }
    )


def _not_said(
    question: str, check: CitationCheck, grounding: str, missing: Sequence[str] = ()
) -> AskResult:
    """NOT_SAID, with no citations: on a non-answer they would support nothing."""
    return AskResult(
        question=question,
        answer=NOT_SAID,
        answerable=False,
        dropped=check.dropped,
        proposed=check.valid,
        grounding=grounding,
        missing=list(missing),
    )


def ask(article: Article, question: str, llm: LLMClient, template: str | None = None) -> AskResult:
    """Answer `question` from `article`: the model's answer through the lexical check
    (`answer_lexically`), then the semantic one (`confirm`)."""
    result, prompt = answer_lexically(article, question, llm, template)
    return confirm(result, prompt, article, question, llm)


def answer_lexically(
    article: Article, question: str, llm: LLMClient, template: str | None = None
) -> tuple[AskResult, Prompt[AskOutput]]:
    """The model's answer, its citations checked and its words grounded (one call)."""
    settings = llm.settings
    profile = profile_for(small_model(settings))
    prompt = build_prompt(
        article, question, settings.article_budget, llm.model, template, small_model(settings)
    )

    def problems(out: AskOutput) -> str | None:
        bad = check_ids(out.citations, article, prompt.shown).dropped
        return f"citations {bad} are not sentence ids shown in the article" if bad else None

    output = llm.structured(prompt, check=problems)
    return interpret(output, prompt, article, question, profile), prompt


def confirm(
    result: AskResult, prompt: Prompt[AskOutput], article: Article, question: str, llm: LLMClient
) -> AskResult:
    """The semantic check of an answer (one short call on the prompt's own prefix), then
    `settle`. A non-answer, an unsupported one, or one decided by rule is returned as it is."""
    if not result.answerable or not result.supported or "attribution" in result.checks:
        return result
    shown = [article.by_id[i] for i in prompt.shown]
    claim = Claim(result.answer, tuple(result.answer_ids), question)
    reading = verify(article, [claim], llm, shown)[0]
    return settle(result, reading, article, question)
