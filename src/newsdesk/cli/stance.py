"""`newsdesk stance`: every party, its position, its own words and where parties disagree."""

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

PartyOpt = Annotated[
    str | None,
    typer.Option("--party", "-p", help="Only this party (a name or alias, case-insensitive)."),
]
MaxPartiesOpt = Annotated[
    int,
    typer.Option(
        "--max-parties",
        min=1,
        max=20,
        help="How many parties the model is asked about (most-mentioned first).",
    ),
]


def stance(
    article: ArticleArg,
    party: PartyOpt = None,
    max_parties: MaxPartiesOpt = 6,
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    gguf: GgufOpt = None,
    json_out: JsonOpt = False,
    no_cache: NoCacheOpt = False,
    dry_run: DryRunOpt = False,
    deterministic: DeterministicOpt = False,
) -> None:
    """Every party in an article: role, position, stance on the central issue, own words.

    Parties come from a deterministic finder (names, titles, "X said", unnamed sources) and
    the model; their quotes are verbatim with sentence ids, kept apart from what others say
    about them. With --json: {central_issue, parties, disagreements, other_parties,
    model_proposed, model_rejected, failures, ungrounded_positions, dropped_citations, usage}.
    """

    def run() -> None:
        from newsdesk.article import load_article
        from newsdesk.cli.runtime import client_for, settings_from, status, stdout_console
        from newsdesk.render.stance import print_stance
        from newsdesk.render.terminal import footer
        from newsdesk.tasks.stance import analyse_stance, dry_run_prompts

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

            for p in dry_run_prompts(
                doc,
                settings.article_budget,
                settings.model_name,
                party,
                max_parties,
                settings.small_model,
            ):
                print_prompt(p.messages, p.tokens, settings, max_output=p.max_tokens)
            return
        llm = client_for(settings)
        with status(f"Finding parties with {settings.model_name}…", enabled=not json_out):
            result = analyse_stance(doc, llm, party=party, max_parties=max_parties)
        usage = llm.usage.total()
        if json_out:
            data = {**result.to_dict(), "usage": usage.to_dict()}
            typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
            return
        print_stance(stdout_console(), result, doc)
        typer.echo(footer(usage), err=True)

    guarded(run)
