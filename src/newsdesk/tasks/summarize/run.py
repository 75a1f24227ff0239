"""`summarize` run end to end: one prompt, or map-reduce over the chunks of a long article."""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsdesk.article import Article
from newsdesk.citations import check_ids
from newsdesk.errors import ModelOutputError
from newsdesk.tasks.contract import Progress
from newsdesk.tasks.profile import small_model
from newsdesk.tasks.summarize.checking import check_lines
from newsdesk.tasks.summarize.interpret import interpret
from newsdesk.tasks.summarize.outputs import PicksOutput, SummaryOutput
from newsdesk.tasks.summarize.prompts import (
    SummaryPrompt,
    build_prompt,
    chunk_ids,
    chunk_sentences,
    over_budget,
)
from newsdesk.tasks.summarize.ranking import line_count
from newsdesk.tasks.summarize.results import SummaryResult

if TYPE_CHECKING:
    from newsdesk.config import Settings
    from newsdesk.llm.client import LLMClient

DEFAULT_LENGTH = "bullets"


def model_writes_summaries(settings: Settings) -> bool:
    """Whether `summarize` asks the model for its lines by default: yes for an endpoint or a
    --gguf file (a model newsdesk has not measured); for an embedded model, only if its lines
    beat the extractive ranking on the dev split (the registry's `writes_summaries` says)."""
    spec = settings.embedded_spec
    return spec is None or spec.writes_summaries


def _run(
    prompt: SummaryPrompt, article: Article, llm: LLMClient, length: str, use_model: bool
) -> SummaryResult:
    if not use_model:
        return interpret(None, prompt.shown, article, length)

    def problems(out: SummaryOutput | PicksOutput) -> str | None:
        if not out.lines:
            return "no summary lines"
        bad = [i for line in out.lines for i in check_ids(line.ids, article, prompt.shown).dropped]
        return f"citations {bad} are not sentence ids shown in the article" if bad else None

    output: SummaryOutput | PicksOutput | None
    try:
        output = llm.structured(prompt, check=problems)
    except ModelOutputError:
        output = None  # junk twice (e.g. a small model looping): the extractive summary stands
    return interpret(output, prompt.shown, article, length)


def summarize(
    article: Article,
    llm: LLMClient,
    length: str = DEFAULT_LENGTH,
    progress: Progress | None = None,
    *,
    use_model: bool | None = None,
    template: str | None = None,
) -> SummaryResult:
    """Summarise `article` in `length` (headline | short | bullets | long), every line cited.

    `progress(done, total)` is called as the map-reduce stages finish (total 1 when the article
    fits the prompt budget). `use_model` None: ask the model where
    `model_writes_summaries` says (not the embedded models, whose lines measured worse than the
    ranking alone); True forces the call (its picks, or its own wording). `template`: a prompt
    variant in place of summarize.j2 (or summarize-base.j2), for every stage."""
    n = line_count(length)
    budget, model, small = llm.settings.article_budget, llm.model, small_model(llm.settings)
    if use_model is None:
        use_model = model_writes_summaries(llm.settings)
    mark = llm.usage.mark()
    if not over_budget(article, budget, model):
        if progress:
            progress(0, 1)
        prompt = build_prompt(
            article, article.sentences, n, budget, model, small=small, template=template
        )
        result = _run(prompt, article, llm, length, use_model)
        if progress:
            progress(1, 1)
    else:
        chunks = chunk_ids(article, budget, model)
        total = len(chunks) + 1
        if progress:
            progress(0, total)
        cited: set[str] = set()
        for done, ids in enumerate(chunks, start=1):
            sents = chunk_sentences(article, ids)
            part = build_prompt(
                article, sents, n, budget, model, "part", small=small, template=template
            )
            cited.update(
                i for line in _run(part, article, llm, length, use_model).lines for i in line.ids
            )
            if progress:
                progress(done, total)
        pool = [s for s in article.sentences if s.id in cited] or article.sentences
        final = build_prompt(article, pool, n, budget, model, small=small, template=template)
        result = _run(final, article, llm, length, use_model)
        result.chunks = len(chunks)
        if progress:
            progress(total, total)
    check_lines(article, llm, result)
    result.usage = llm.usage.since(mark)
    result.method = "model" if use_model else "ranking"
    return result


def extractive(article: Article, length: str = "short") -> SummaryResult:
    """The summary with no model at all: the top-ranked sentences, in article order (the
    fallback, and the bench's ablation of what the model adds)."""
    return interpret(None, [s.id for s in article.sentences], article, length)
