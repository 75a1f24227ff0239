"""The `summarize` prompts: what one prompt shows, and the prompts of a run (one, or one per
chunk of an article over the budget: the map stage of map-reduce)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsdesk.article import Article, Sentence
from newsdesk.chunking import chunk_article, sentence_line
from newsdesk.prompts import Prompt
from newsdesk.prompts import build_prompt as build
from newsdesk.tasks.profile import small_model
from newsdesk.tasks.summarize.outputs import PicksOutput, SummaryOutput, summary_limits
from newsdesk.tasks.summarize.ranking import line_count, rank_sentences
from newsdesk.tokens import count_tokens

if TYPE_CHECKING:
    from newsdesk.config import Settings

TOKENS_PER_LINE = 70  # output budget per summary line (ids + one sentence of text)
TOKENS_PER_IDS_LINE = 14  # output budget per line when the model only picks ids

SummaryPrompt = Prompt[SummaryOutput | PicksOutput]  # written lines, or picked ids only


def shown_sentences(
    article: Article,
    pool: list[Sentence],
    lines: int,
    budget: int,
    model: str | None = None,
    small: bool = False,
) -> list[Sentence]:
    """What one prompt shows: everything that fits the budget, in article order; for the
    small model (`profile.small_model`: a 270M base model that copies rather than condenses)
    the best n+1 candidates, best first (it mostly keeps the first ones it sees)."""
    ranked = rank_sentences(article, pool)
    keep = lines + 1 if small else len(ranked)
    chosen: list[Sentence] = []
    used = 0
    for s in ranked[:keep]:
        cost = count_tokens(sentence_line(s) + "\n", model)
        if chosen and used + cost > budget:
            continue
        chosen.append(s)
        used += cost
    return chosen if small else sorted(chosen, key=lambda s: s.index)


def build_prompt(
    article: Article,
    pool: list[Sentence],
    lines: int,
    budget: int,
    model: str | None = None,
    stage: str = "article",
    write: bool | None = None,
    small: bool = False,
    template: str | None = None,
) -> SummaryPrompt:
    """The small model (measured: its own wording was mostly ungrounded or looping) only picks
    sentences from a short list, with its own base-model template, and the lines quote them;
    an instruction-tuned model writes its own lines, which grounding then checks."""
    if write is None:
        write = not small
    shown = shown_sentences(article, pool, lines, budget, model, small)
    template = template or ("summarize-base.j2" if small else "summarize.j2")
    per_line = TOKENS_PER_LINE if write else TOKENS_PER_IDS_LINE
    output: type[SummaryOutput] | type[PicksOutput] = SummaryOutput if write else PicksOutput
    return build(
        "summary",
        template,
        output,
        shown=[s.id for s in shown],
        max_tokens=per_line * lines + 20,
        model=model,
        limits=summary_limits(lines),
        sentences=shown,
        lines=lines,
        stage=stage,
        write=write,
    )


def over_budget(article: Article, budget: int, model: str | None = None) -> bool:
    return count_tokens(article.numbered(), model) > budget


def chunk_ids(article: Article, budget: int, model: str | None) -> list[list[str]]:
    return [c.sentence_ids for c in chunk_article(article, max_tokens=budget, model=model)]


def chunk_sentences(article: Article, ids: list[str]) -> list[Sentence]:
    return [article.by_id[i] for i in ids]


def plan(
    article: Article, length: str, settings: Settings, template: str | None = None
) -> list[SummaryPrompt]:
    """The prompts a run sends first (for --dry-run): one, or one per chunk (map stage; the
    final pass is built from what they return)."""
    n = line_count(length)
    budget, model, small = settings.article_budget, settings.model_name, small_model(settings)
    if not over_budget(article, budget, model):
        return [
            build_prompt(
                article, article.sentences, n, budget, model, small=small, template=template
            )
        ]
    return [
        build_prompt(
            article,
            chunk_sentences(article, ids),
            n,
            budget,
            model,
            "part",
            small=small,
            template=template,
        )
        for ids in chunk_ids(article, budget, model)
    ]
