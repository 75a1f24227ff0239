"""The entailment calls: each statement of a command read against the article
(`prompts/verify.j2`), on the same system turn and numbered article as the task's own prompt,
so an endpoint that caches prompt prefixes (llama.cpp does; newsdesk saves its KV state) never
reads the article again: a claim costs its own few lines (the claim and its nearest sentences,
`entailment.nearest`) and a one-word verdict. The rule that uses the reading is pure
(`entailment.decide`).

One short call per claim, not one call for all: asked for sixteen verdicts at once, the default
model copied its previous verdict from the fifth claim on (every one "contradicted"); asked one
at a time on the same prefix it judged 12 of the 16 right (README, Measured).

A base model (the bundled gemma-3-270m) cannot judge entailment; it is not asked, and every
verdict says the entailment layer did not run. A reply that is invalid twice is not fatal
either: the statement keeps its lexical and attribution checks, and the note says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from newsdesk.article import Article, Sentence
from newsdesk.entailment import (
    Claim,
    ClaimCheck,
    Judgement,
    nearest,
    reading,
    stated_probability,
)
from newsdesk.errors import ModelOutputError
from newsdesk.prompts import Prompt, build_prompt
from newsdesk.tasks.evidence import select_evidence
from newsdesk.tasks.profile import small_model

if TYPE_CHECKING:
    from newsdesk.llm.client import Completion, LLMClient

# '{"verdict": "not stated"}' is 8 tokens; the embedded Qwen may fence and indent it (its
# grammar admits a ```json block), 15 tokens and the end: room, so it is never cut off
MAX_TOKENS = 24
# the verdict's three first tokens ("st", "not", "contr") and room for their variants: enough
# to read the model's certainty (entailment.stated_probability) at no extra forward pass
TOP_LOGPROBS = 5


def shown_for(
    article: Article, claims: Sequence[Claim], budget: int, model: str | None
) -> list[Sentence]:
    """What the verify prompts show: the whole article when it fits (the task's own prefix)."""
    return select_evidence(article, " ".join(c.text for c in claims), budget, model)


def verify_prompts(
    claims: Sequence[Claim], shown: Sequence[Sentence], model: str | None = None
) -> list[Prompt[Judgement]]:
    """One prompt per claim, all on the same prefix (the system turn and `shown`)."""
    sentences = list(shown)
    return [
        build_prompt(
            "verify",
            "verify.j2",
            Judgement,
            shown=[s.id for s in sentences],
            max_tokens=MAX_TOKENS,
            model=model,
            top_logprobs=TOP_LOGPROBS,
            sentences=sentences,
            claim=c.text,
            question=c.question,
            near=near,
        )
        for c, near in zip(claims, nearest(claims, sentences), strict=True)
    ]


def verify(
    article: Article,
    claims: Sequence[Claim],
    llm: LLMClient,
    shown: Sequence[Sentence] | None = None,
    notes: list[str] | None = None,
) -> list[ClaimCheck | None]:
    """The model's reading of each claim, by position; None where there is none (a base
    model, or a reply that failed twice: `notes` says which)."""
    if not claims:
        return []
    settings = llm.settings
    why = (
        "NEWSDESK_ENTAILMENT is off"
        if not settings.entailment
        else f"{settings.model_name} is a base model"
        if small_model(settings)
        else ""
    )
    if why:
        if notes is not None:
            notes.append(f"entailment not checked: {why}")
        return [None] * len(claims)
    if shown is None:
        shown = shown_for(article, claims, settings.article_budget, llm.model)
    near = nearest(claims, shown)
    out: list[ClaimCheck | None] = []
    for prompt, sentences in zip(verify_prompts(claims, shown, llm.model), near, strict=True):
        try:
            replies: list[Completion] = []
            judgement = llm.structured(prompt, replies=replies)
            tokens = [(t.token, t.top) for t in replies[0].alternatives or ()]
            out.append(reading(judgement, sentences, stated_probability(tokens)))
        except ModelOutputError as exc:
            if notes is not None:
                notes.append(f"entailment not checked: {exc.problem or 'invalid reply'}")
            out.append(None)
    return out
