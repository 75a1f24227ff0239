"""`newsdesk brief`: a briefing on one or more articles, as Markdown, HTML or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from newsdesk.cli.options import Batch, Common, batch_options, common_options
from newsdesk.cli.runtime import guarded

if TYPE_CHECKING:
    from collections.abc import Callable

    from newsdesk.article import Article
    from newsdesk.llm.client import LLMClient


@common_options()
@batch_options("brief")
def brief(
    articles: Annotated[
        list[str],
        typer.Argument(
            help="One or more article files (UTF-8 text), or - for stdin.", show_default=False
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the briefing here; the suffix picks .md, .html or .json."
        ),
    ] = None,
    *,
    opts: Common,
    batch: Batch,
) -> None:
    """Brief one or more articles: headline, key points, who is who, disagreements, what is
    unconfirmed, and questions to ask next, every statement citing its sentences.

    With several articles: one section each, then what connects them. Without -o the briefing
    prints to the terminal as Markdown. --json prints the JSON form on stdout.
    Batch mode, when -o is a directory (or an input is): one briefing per article in it,
    resumable (existing outputs are skipped), failures listed at the end.
    """

    def per_article(llm: LLMClient) -> Callable[[Article], Any]:
        from newsdesk.tasks.brief import brief as brief_task

        return lambda doc: brief_task([doc], llm)

    def run() -> None:
        from newsdesk.batch import is_batch
        from newsdesk.errors import InputError

        if is_batch(articles, output):
            from newsdesk.cli.batchmode import run_batch_command

            run_batch_command(
                "brief",
                articles,
                output or Path("."),
                opts=opts,
                batch=batch,
                task=per_article,
            )
            return

        if output is not None:
            from newsdesk.atomic import check_folder
            from newsdesk.cli.output import file_format, formats_hint

            if output.is_dir():
                raise InputError(f"{output}: is a directory")
            if file_format("brief", output.suffix) is None:
                raise InputError(
                    f"{output}: unknown suffix {output.suffix or '(none)'!r}; "
                    f"use {formats_hint('brief', dot=True)}"
                )
            check_folder(output)
        if articles.count("-") > 1:
            raise InputError("- (stdin) can be given only once")

        from newsdesk.article import load_article
        from newsdesk.cli.runtime import client_for, remember, settings_from, status

        settings = settings_from(opts)
        docs = [load_article(a) for a in articles]
        if opts.dry_run:
            from newsdesk.cli.dryrun import print_prompts
            from newsdesk.tasks.brief import dry_run_prompts

            print_prompts(
                dry_run_prompts(
                    docs, settings.article_budget, settings.model_name, settings.small_model
                ),
                settings,
            )
            if len(docs) > 1:
                typer.echo("--- then one cross-article call on the articles' key points ---")
            return

        from newsdesk.cli.output import show, write
        from newsdesk.render.terminal import footer
        from newsdesk.tasks.brief import brief as brief_task

        llm = client_for(settings)
        with status(f"Briefing with {settings.model_name}…", enabled=not opts.json):
            result = brief_task(docs, llm)
        if len(docs) == 1:
            remember(settings, "brief", docs[0], {}, result)
        if output is not None:
            write("brief", result, output)
        if opts.json or output is None:
            show("brief", result, opts.json)
        typer.echo(footer(result.usage), err=True)

    guarded(run)
