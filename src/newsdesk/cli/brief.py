"""`newsdesk brief`: a briefing on one or more articles, as Markdown, HTML or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from newsdesk.batch import BatchFormatOpt, ForceOpt, MaxConcurrencyOpt
from newsdesk.cli.options import (
    BaseUrlOpt,
    DeterministicOpt,
    DryRunOpt,
    GgufOpt,
    JsonOpt,
    ModelOpt,
    NoCacheOpt,
)
from newsdesk.cli.runtime import guarded

FORMATS = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
}


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
    """Brief one or more articles: headline, key points, who is who, disagreements, what is
    unconfirmed, and questions to ask next, every statement citing its sentences.

    With several articles: one section each, then what connects them. Without -o the briefing
    prints to the terminal as Markdown. --json prints the JSON form on stdout.
    Batch mode, when -o is a directory (or an input is): one briefing per article in it,
    resumable (existing outputs are skipped), failures listed at the end.
    """

    def run() -> None:
        from newsdesk.batch import is_batch
        from newsdesk.errors import InputError

        if is_batch(articles, output):
            _batch(articles, output, batch_format, max_concurrency, force, json_out, settings_args)
            return

        fmt = None
        if output is not None:
            if output.is_dir():
                raise InputError(f"{output}: is a directory")
            fmt = FORMATS.get(output.suffix.lower())
            if fmt is None:
                raise InputError(
                    f"{output}: unknown suffix {output.suffix or '(none)'!r}; "
                    "use .md, .html or .json"
                )
            if not (output.parent if str(output.parent) else Path(".")).is_dir():
                raise InputError(f"{output}: folder {output.parent} does not exist")
        if articles.count("-") > 1:
            raise InputError("- (stdin) can be given only once")

        from newsdesk.article import load_article
        from newsdesk.cli.runtime import client_for, settings_from, status

        settings = settings_from(
            model=model,
            base_url=base_url,
            gguf=gguf,
            no_cache=no_cache,
            deterministic=deterministic,
        )
        docs = [load_article(a) for a in articles]
        if dry_run:
            from newsdesk.cli.dryrun import print_prompt
            from newsdesk.tasks.brief import dry_run_prompts

            for p in dry_run_prompts(
                docs, settings.article_budget, settings.model_name, settings.small_model
            ):
                print_prompt(p.messages, p.tokens, settings, max_output=p.max_tokens)
            if len(docs) > 1:
                typer.echo("--- then one cross-article call on the articles' key points ---")
            return

        from newsdesk.tasks.brief import brief as brief_task

        llm = client_for(settings)
        with status(f"Briefing with {settings.model_name}…", enabled=not json_out):
            result = brief_task(docs, llm)

        from newsdesk.render.terminal import footer

        if output is not None:
            from newsdesk.atomic import write_atomic

            if fmt == "html":
                from newsdesk.render.html import render_html

                text = render_html(result)
            elif fmt == "json":
                from newsdesk.render.jsonout import render_json

                text = render_json(result)
            else:
                from newsdesk.render.markdown import render_markdown

                text = render_markdown(result)
            write_atomic(output, text)
            typer.echo(f"wrote {output}", err=True)
        if json_out:
            from newsdesk.render.jsonout import render_json

            typer.echo(render_json(result), nl=False)
        elif output is None:
            from rich.console import Console
            from rich.markdown import Markdown

            from newsdesk.render.markdown import render_markdown

            Console(highlight=False).print(Markdown(render_markdown(result)))
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
    articles: list[str],
    outdir: Path | None,
    batch_format: str,
    max_concurrency: int,
    force: bool,
    json_out: bool,
    settings_args: dict[str, Any],
) -> None:
    """One briefing per article into OUTDIR (newsdesk.batch)."""
    from newsdesk.batch import cli_batch
    from newsdesk.cli.runtime import settings_from
    from newsdesk.errors import InputError

    suffix = "." + batch_format.lower().lstrip(".")
    fmt = FORMATS.get(suffix)
    if fmt is None:
        raise InputError(f"--format {batch_format}: use md, html or json")

    def make_process(llm):  # type: ignore[no-untyped-def]
        from newsdesk.tasks.brief import brief as brief_task

        def process(doc):  # type: ignore[no-untyped-def]
            result = brief_task([doc], llm)
            if fmt == "html":
                from newsdesk.render.html import render_html

                return render_html(result)
            if fmt == "json":
                from newsdesk.render.jsonout import render_json

                return render_json(result)
            from newsdesk.render.markdown import render_markdown

            return render_markdown(result)

        return process

    cli_batch(
        articles,
        outdir or Path("."),
        settings=settings_from(**settings_args),
        make_process=make_process,
        suffix=suffix,
        max_concurrency=max_concurrency,
        force=force,
        json_out=json_out,
    )
