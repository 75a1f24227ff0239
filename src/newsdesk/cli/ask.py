"""`newsdesk ask`: answers with the article's own sentences cited."""

from __future__ import annotations

from typing import Annotated

import typer

from newsdesk.cli.options import ArticleArg, Common, common_options
from newsdesk.cli.runtime import guarded


@common_options()
def ask(
    article: ArticleArg,
    questions: Annotated[
        list[str], typer.Argument(help="One or more questions.", show_default=False)
    ],
    *,
    opts: Common,
) -> None:
    """Answer questions about an article, citing its sentences verbatim.

    Several questions load the article and the model once. With --json, one JSON object per
    question, one per line: {question, answer, answerable, supported, grounding,
    unsupported_terms, citations, dropped_citations, usage}.
    """

    def run() -> None:
        from newsdesk.article import load_article
        from newsdesk.cli.output import View, show
        from newsdesk.cli.runtime import client_for, remember, settings_from, status
        from newsdesk.tasks.ask import ask as ask_task
        from newsdesk.tasks.ask import build_prompt

        settings = settings_from(opts)
        doc = load_article(article)
        if opts.dry_run:
            from newsdesk.cli.dryrun import print_prompt

            for q in questions:
                p = build_prompt(
                    doc, q, settings.article_budget, settings.model_name, small=settings.small_model
                )
                print_prompt(p.messages, p.tokens, settings, max_output=200)
            return
        llm = client_for(settings)
        for i, q in enumerate(questions):
            mark = llm.usage.mark()
            with status(f"Asking {settings.model_name}…", enabled=not opts.json):
                result = ask_task(doc, q, llm)
            usage = llm.usage.since(mark)
            remember(settings, "ask", doc, {"question": q}, result, View(usage=usage))
            if i and not opts.json:
                typer.echo()
            show("ask", result, opts.json, View(usage=usage, show_question=len(questions) > 1))
            if not opts.json:
                from newsdesk.render.terminal import footer

                typer.echo(footer(usage), err=True)

    guarded(run)
