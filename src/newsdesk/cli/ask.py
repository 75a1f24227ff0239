"""`newsdesk ask`: answers with the article's own sentences cited."""

from __future__ import annotations

import json
from typing import Annotated

import typer

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


def ask(
    article: ArticleArg,
    questions: Annotated[
        list[str], typer.Argument(help="One or more questions.", show_default=False)
    ],
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    gguf: GgufOpt = None,
    json_out: JsonOpt = False,
    no_cache: NoCacheOpt = False,
    dry_run: DryRunOpt = False,
    deterministic: DeterministicOpt = False,
) -> None:
    """Answer questions about an article, citing its sentences verbatim.

    Several questions load the article and the model once. With --json, one JSON object per
    question, one per line: {question, answer, answerable, supported, grounding,
    unsupported_terms, citations, dropped_citations, usage}.
    """

    def run() -> None:
        from newsdesk.article import load_article
        from newsdesk.cli.runtime import client_for, settings_from, status, stdout_console
        from newsdesk.render.terminal import footer, print_ask
        from newsdesk.tasks.ask import ask as ask_task
        from newsdesk.tasks.ask import build_prompt

        settings = settings_from(
            model=model,
            base_url=base_url,
            gguf=gguf,
            no_cache=no_cache,
            deterministic=deterministic,
        )
        doc = load_article(article)
        if dry_run:
            from newsdesk.cli.dryrun import print_prompt

            for q in questions:
                p = build_prompt(
                    doc, q, settings.article_budget, settings.model_name, small=settings.small_model
                )
                print_prompt(p.messages, p.tokens, settings, max_output=200)
            return
        llm = client_for(settings)
        console = stdout_console()
        for i, q in enumerate(questions):
            before = len(llm.usage.records)
            with status(f"Asking {settings.model_name}…", enabled=not json_out):
                result = ask_task(doc, q, llm)
            from newsdesk.llm.usage import UsageLog

            usage = UsageLog(llm.usage.records[before:]).total()
            if json_out:
                typer.echo(
                    json.dumps({**result.to_dict(), "usage": usage.to_dict()}, ensure_ascii=False)
                )
                continue
            if i:
                console.print()
            print_ask(console, result, show_question=len(questions) > 1)
            typer.echo(footer(usage), err=True)

    guarded(run)
