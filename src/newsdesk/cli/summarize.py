"""`newsdesk summarize`: a summary whose every line cites the sentences it rests on."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from newsdesk.cli.options import ArticleArg, Batch, Common, batch_options, common_options
from newsdesk.cli.runtime import guarded

if TYPE_CHECKING:
    from collections.abc import Callable

    from newsdesk.article import Article
    from newsdesk.llm.client import LLMClient

RANKING_NOTE = (
    "no model call: with the embedded models, the lines are the article's top-ranked "
    "sentences (their own lines measured worse); --gguf or --base-url for a model that writes"
)


class Length(StrEnum):
    headline = "headline"
    short = "short"
    bullets = "bullets"
    long = "long"


LengthOpt = Annotated[
    Length,
    typer.Option(
        "--length",
        "-l",
        help="headline (1 line), short (3), bullets (5) or long (8).",
        case_sensitive=False,
    ),
]
EvidenceOpt = Annotated[
    bool,
    typer.Option("--show-evidence", help="Print the cited sentences verbatim under each line."),
]
MoreArticlesArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="More articles or directories (batch mode, with -o DIR/).", show_default=False
    ),
]
OutDirOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Batch mode: a directory; one summary per article in it."),
]


@common_options()
@batch_options("summarize")
def summarize(
    article: ArticleArg,
    more: MoreArticlesArg = None,
    output: OutDirOpt = None,
    length: LengthOpt = Length.bullets,
    show_evidence: EvidenceOpt = False,
    *,
    opts: Common,
    batch: Batch,
) -> None:
    """Summarise an article; every line carries the ids of the sentences it rests on.

    A line with no valid citation is flagged unsupported. An article longer than the prompt
    budget is summarised map-reduce over token chunks, with a progress bar on stderr. With
    --json: {length, central, chunks, lines: [{text, citations, supported, source,
    dropped_citations}], usage}. Batch mode: `summarize DIR_OR_FILES... -o OUTDIR/` writes one
    summary per article (--format md, txt or json), skips those already written, lists failures.
    """

    def per_article(llm: LLMClient) -> Callable[[Article], Any]:
        from newsdesk.tasks.summarize import summarize as summarize_task

        return lambda doc: summarize_task(doc, llm, length.value)

    def run() -> None:
        from newsdesk.cli.output import View

        view = View(show_evidence=show_evidence)
        inputs = [article, *(more or [])]
        if output is not None or len(inputs) > 1:
            from newsdesk.batch import is_batch
            from newsdesk.cli.batchmode import run_batch_command
            from newsdesk.errors import InputError

            if output is None or not is_batch(inputs, output):
                raise InputError("several articles need -o DIR/ (one summary per article in DIR)")
            run_batch_command(
                "summarize",
                inputs,
                output,
                opts=opts,
                batch=batch,
                task=per_article,
                view=view,
            )
            return
        from newsdesk.article import load_article
        from newsdesk.cli.output import show
        from newsdesk.cli.progress import ChunkProgress
        from newsdesk.cli.runtime import client_for, remember, settings_from, status
        from newsdesk.render.terminal import footer
        from newsdesk.tasks.summarize import plan
        from newsdesk.tasks.summarize import summarize as summarize_task

        settings = settings_from(opts)
        doc = load_article(article)
        ranking_only = not settings.model_writes_summaries
        if opts.dry_run and ranking_only:
            typer.echo(f"--- no prompt: {RANKING_NOTE} ---")
            return
        if opts.dry_run:
            from newsdesk.cli.dryrun import print_prompts

            prompts = plan(doc, length.value, settings)
            print_prompts(prompts, settings)
            if len(prompts) > 1:
                typer.echo(
                    f"--- map-reduce: {len(prompts)} chunk prompts above, then one final prompt "
                    "built from the sentences their summaries cite ---"
                )
            return
        llm = client_for(settings)
        bar = ChunkProgress()
        try:
            with status(f"Summarising with {settings.model_name}…", enabled=not opts.json):
                result = summarize_task(doc, llm, length.value, progress=bar)
        finally:
            bar.close()
        remember(settings, "summarize", doc, {"length": length.value}, result)
        show("summarize", result, opts.json, view)
        if opts.json:
            return
        if result.method == "ranking":
            typer.echo(f"note: {RANKING_NOTE}", err=True)
        elif result.usage is not None:
            typer.echo(footer(result.usage), err=True)

    guarded(run)
