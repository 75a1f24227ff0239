"""`newsdesk check`: is each sentence of a draft true to the article, and whose claim is it?"""

from __future__ import annotations

from typing import Annotated

import typer

from newsdesk.cli.options import ArticleArg, Common, common_options
from newsdesk.cli.runtime import fail, guarded

DraftArg = Annotated[str, typer.Argument(help="Draft file (UTF-8 text), or - for stdin.")]


@common_options()
def check(article: ArticleArg, draft: DraftArg, *, opts: Common) -> None:
    """Check a draft against an article, sentence by sentence.

    Each sentence of the draft is supported, unsupported (not stated), contradicted, or
    attributed elsewhere (the article only reports someone saying it), with the article's
    sentences that decide it and who says them. Exit 1 when any sentence fails. With --json:
    {sentences: [{n, text, verdict, reason, citations, checks, supported}], notes, usage, score}.
    """

    def run() -> None:
        from newsdesk.article import load_article, read_text
        from newsdesk.cli.output import show
        from newsdesk.cli.runtime import client_for, remember, settings_from, status
        from newsdesk.tasks.check import check as check_task
        from newsdesk.tasks.check import prompts

        if article == "-" and draft == "-":
            fail("the article and the draft cannot both be read from stdin")
        settings = settings_from(opts)
        doc = load_article(article)
        text, label = read_text(draft, what="draft")
        if opts.dry_run:
            from newsdesk.cli.dryrun import print_prompts

            print_prompts(prompts(doc, text, settings), settings)
            return
        llm = client_for(settings)
        with status(f"Checking with {settings.model_name}…", enabled=not opts.json):
            result = check_task(doc, text, llm, label)
        remember(settings, "check", doc, {"draft": text}, result)
        show("check", result, opts.json)
        if not opts.json and result.usage is not None:
            from newsdesk.render.terminal import footer

            typer.echo(footer(result.usage), err=True)
        if result.failed:
            raise typer.Exit(1)

    guarded(run)
