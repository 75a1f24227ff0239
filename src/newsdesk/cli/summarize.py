"""`newsdesk summarize`: a summary whose every line cites the sentences it rests on."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from newsdesk.batch import BatchFormatOpt, ForceOpt, MaxConcurrencyOpt
from newsdesk.cli.options import (
    ArticleArg,
    BaseUrlOpt,
    DeterministicOpt,
    DryRunOpt,
    GgufOpt,
    JsonOpt,
    ModelOpt,
    NoCacheOpt,
)
from newsdesk.cli.runtime import guarded

if TYPE_CHECKING:
    from rich.progress import Progress


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


class ProgressBar:
    """A rich progress bar on stderr, shown only for map-reduce runs (more than one step)."""

    def __init__(self) -> None:
        self.bar: Progress | None = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if total <= 1:
            return
        if self.bar is None:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            from newsdesk.cli.runtime import stderr_console

            self.bar = Progress(
                TextColumn("summarising: chunks, then a final pass"),
                BarColumn(),
                MofNCompleteColumn(),
                console=stderr_console(),
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("summarize", total=total)
        self.bar.update(self.task, completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


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


def summarize(
    article: ArticleArg,
    more: MoreArticlesArg = None,
    output: OutDirOpt = None,
    length: LengthOpt = Length.bullets,
    show_evidence: EvidenceOpt = False,
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    gguf: GgufOpt = None,
    json_out: JsonOpt = False,
    no_cache: NoCacheOpt = False,
    dry_run: DryRunOpt = False,
    deterministic: DeterministicOpt = False,
    max_concurrency: MaxConcurrencyOpt = 4,
    batch_format: BatchFormatOpt = "md",
    force: ForceOpt = False,
) -> None:
    """Summarise an article; every line carries the ids of the sentences it rests on.

    A line with no valid citation is flagged unsupported. An article longer than the prompt
    budget is summarised map-reduce over token chunks, with a progress bar on stderr. With
    --json: {length, central, chunks, lines: [{text, citations, supported, source,
    dropped_citations}], usage}. Batch mode: `summarize DIR_OR_FILES... -o OUTDIR/` writes one
    summary per article (--format md, txt or json), skips those already written, lists failures.
    """

    def run() -> None:
        inputs = [article, *(more or [])]
        if output is not None or len(inputs) > 1:
            from newsdesk.batch import is_batch
            from newsdesk.errors import InputError

            if output is None or not is_batch(inputs, output):
                raise InputError("several articles need -o DIR/ (one summary per article in DIR)")
            _batch(
                inputs,
                output,
                length.value,
                show_evidence,
                batch_format,
                max_concurrency,
                force,
                json_out,
                settings_args,
            )
            return
        from newsdesk.article import load_article
        from newsdesk.cli.runtime import client_for, settings_from, status, stdout_console
        from newsdesk.render.summary import print_summary
        from newsdesk.render.terminal import footer
        from newsdesk.tasks.summarize import plan
        from newsdesk.tasks.summarize import summarize as summarize_task

        settings = settings_from(
            model=model,
            base_url=base_url,
            gguf=gguf,
            no_cache=no_cache,
            deterministic=deterministic,
        )
        doc = load_article(article)
        ranking_only = not settings.model_writes_summaries
        if dry_run and ranking_only:
            typer.echo(f"--- no prompt: {RANKING_NOTE} ---")
            return
        if dry_run:
            from newsdesk.cli.dryrun import print_prompt

            prompts = plan(doc, length.value, settings)
            for p in prompts:
                print_prompt(p.messages, p.tokens, settings, max_output=p.max_tokens)
            if len(prompts) > 1:
                typer.echo(
                    f"--- map-reduce: {len(prompts)} chunk prompts above, then one final prompt "
                    "built from the sentences their summaries cite ---"
                )
            return
        llm = client_for(settings)
        bar = ProgressBar()
        try:
            with status(f"Summarising with {settings.model_name}…", enabled=not json_out):
                result = summarize_task(doc, llm, length.value, progress=bar)
        finally:
            bar.close()
        if json_out:
            typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
            return
        print_summary(stdout_console(), result, show_evidence=show_evidence)
        if result.method == "ranking":
            typer.echo(f"note: {RANKING_NOTE}", err=True)
        elif result.usage is not None:
            typer.echo(footer(result.usage), err=True)

    settings_args = {
        "model": model,
        "base_url": base_url,
        "gguf": gguf,
        "no_cache": no_cache,
        "deterministic": deterministic,
    }
    guarded(run)


def _batch(
    inputs: list[str],
    outdir: Path,
    length: str,
    show_evidence: bool,
    batch_format: str,
    max_concurrency: int,
    force: bool,
    json_out: bool,
    settings_args: dict[str, Any],
) -> None:
    """One summary per article into OUTDIR (newsdesk.batch)."""
    from newsdesk.batch import cli_batch
    from newsdesk.cli.runtime import settings_from
    from newsdesk.errors import InputError

    fmt = batch_format.lower().lstrip(".")
    if fmt not in ("md", "txt", "json"):
        raise InputError(f"--format {batch_format}: use md, txt or json")

    def make_process(llm):  # type: ignore[no-untyped-def]
        from newsdesk.render.summary import summary_markdown, summary_plain
        from newsdesk.tasks.summarize import summarize as summarize_task

        def process(doc):  # type: ignore[no-untyped-def]
            result = summarize_task(doc, llm, length)
            if fmt == "json":
                return json.dumps(result.to_dict(), ensure_ascii=False, indent=2)
            if fmt == "txt":
                return summary_plain(result)
            return summary_markdown(result, show_evidence=show_evidence)

        return process

    cli_batch(
        inputs,
        outdir,
        settings=settings_from(**settings_args),
        make_process=make_process,
        suffix="." + fmt,
        max_concurrency=max_concurrency,
        force=force,
        json_out=json_out,
    )
