"""The `stance` prompts: each a `prompts.Prompt` named by its kind of call ("overview", "party",
"parties", "topic"), the response_format's schema name.

Token counts use the default encoding (no model name), as stance's prompts always have; the
sentence selection uses the model's.
"""

from __future__ import annotations

from newsdesk.article import Article
from newsdesk.parties import PartyCandidate
from newsdesk.prompts import Prompt, build_prompt
from newsdesk.tasks.evidence import select_evidence
from newsdesk.tasks.stance.outputs import (
    OverviewOutput,
    PartiesOutput,
    PartyOutput,
    TopicOutput,
    overview_limits,
    parties_limits,
    party_limits,
)
from newsdesk.tasks.stance.results import Side

MAX_PARTY_SENTENCES = 6
OVERVIEW_TOKENS = 160
PARTY_TOKENS = 120
PARTIES_TOKENS = 80  # the one-call prompt: the issue and the others, beside PARTY_TOKENS each
TOPIC_TOKENS = 40

OVERVIEW_TEMPLATE = "stance_overview.j2"
PARTIES_TEMPLATE = "stance_parties.j2"
PARTY_TEMPLATE = "stance_party.j2"
TOPIC_TEMPLATE = "stance_topic.j2"


def overview_prompt(
    article: Article, budget: int, model: str | None = None
) -> Prompt[OverviewOutput]:
    sentences = select_evidence(article, article.title, budget, model)
    return build_prompt(
        "overview",
        OVERVIEW_TEMPLATE,
        OverviewOutput,
        shown=[s.id for s in sentences],
        max_tokens=OVERVIEW_TOKENS,
        limits=overview_limits(),
        sentences=sentences,
    )


def parties_prompt(
    article: Article,
    cands: list[PartyCandidate],
    budget: int,
    model: str | None = None,
    template: str | None = None,
) -> Prompt[PartiesOutput]:
    """All the parties in one call, over the whole article when it fits (else the sentences
    that best match the parties' names and the title)."""
    query = " ".join([article.title, *(c.name for c in cands)])
    sentences = select_evidence(article, query, budget, model)
    return build_prompt(
        "parties",
        template or PARTIES_TEMPLATE,
        PartiesOutput,
        shown=[s.id for s in sentences],
        max_tokens=PARTIES_TOKENS + PARTY_TOKENS * len(cands),
        limits=parties_limits([c.name for c in cands]),
        sentences=sentences,
        parties=cands,
        title=article.title,
    )


def party_sentences(article: Article, cand: PartyCandidate) -> list[str]:
    """The sentences shown for a party: the ones it speaks first, then mentions, capped."""
    chosen = list(dict.fromkeys([*cand.spoken_ids, *cand.sentence_ids]))[:MAX_PARTY_SENTENCES]
    return sorted(chosen, key=lambda i: article.by_id[i].index)


def party_prompt(
    article: Article, cand: PartyCandidate, issue: str, template: str | None = None
) -> Prompt[PartyOutput]:
    ids = party_sentences(article, cand)
    return build_prompt(
        "party",
        template or PARTY_TEMPLATE,
        PartyOutput,
        shown=ids,
        max_tokens=PARTY_TOKENS,
        limits=party_limits(),
        issue=issue,
        party=cand.name,
        sentences=[article.by_id[i] for i in ids],
    )


def topic_prompt(article: Article, a: Side, b: Side) -> Prompt[TopicOutput]:
    # no ids in its answer, so the schema has no enum (`shown` is what the prompt quotes)
    return build_prompt(
        "topic",
        TOPIC_TEMPLATE,
        TopicOutput,
        shown=[*a.evidence, *b.evidence],
        max_tokens=TOPIC_TOKENS,
        a_name=a.party,
        b_name=b.party,
        a_sentences=[article.by_id[i] for i in a.evidence],
        b_sentences=[article.by_id[i] for i in b.evidence],
    )
