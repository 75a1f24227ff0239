"""`newsdesk summarize`: a summary whose every line cites the sentences it rests on."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from newsdesk.commands.options import (
    ArticleArg,
    BaseUrlOpt,
    DeterministicOpt,
    DryRunOpt,
    GgufOpt,
    JsonOpt,
    ModelOpt,
    NoCacheOpt,
)
from newsdesk.commands.runtime import guarded

if TYPE_CHECKING:
    from rich.progress import Progress


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

            from newsdesk.commands.runtime import stderr_console

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


def summarize(
    article: ArticleArg,
    length: LengthOpt = Length.bullets,
    show_evidence: EvidenceOpt = False,
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    gguf: GgufOpt = None,
    json_out: JsonOpt = False,
    no_cache: NoCacheOpt = False,
    dry_run: DryRunOpt = False,
    deterministic: DeterministicOpt = False,
) -> None:
    """Summarise an article; every line carries the ids of the sentences it rests on.

    A line with no valid citation is flagged unsupported. An article longer than the prompt
    budget is summarised map-reduce over token chunks, with a progress bar on stderr. With
    --json: {length, central, chunks, lines: [{text, citations, supported, source,
    dropped_citations}], usage}.
    """

    def run() -> None:
        from newsdesk.article import load_article
        from newsdesk.commands.runtime import client_for, settings_from, status, stdout_console
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
        if dry_run:
            from newsdesk.commands.dryrun import print_prompt

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
        if result.usage is not None:
            typer.echo(footer(result.usage), err=True)

    guarded(run)
