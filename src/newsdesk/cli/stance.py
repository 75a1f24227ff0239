"""`newsdesk stance`: every party, its position, its own words and where parties disagree."""

from __future__ import annotations

from typing import Annotated

import typer

from newsdesk.cli.options import ArticleArg, Common, common_options
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


@common_options()
def stance(
    article: ArticleArg,
    party: PartyOpt = None,
    max_parties: MaxPartiesOpt = 6,
    *,
    opts: Common,
) -> None:
    """Every party in an article: role, position, stance on the central issue, own words.

    Parties come from a deterministic finder (names, titles, "X said", unnamed sources) and
    the model; their quotes are verbatim with sentence ids, kept apart from what others say
    about them. With --json: {central_issue, parties, disagreements, other_parties,
    model_proposed, model_rejected, failures, ungrounded_positions, dropped_citations, usage}.
    """

    def run() -> None:
        from newsdesk.article import load_article
        from newsdesk.cli.output import View, show
        from newsdesk.cli.runtime import client_for, remember, settings_from, status
        from newsdesk.tasks.stance import analyse_stance, dry_run_prompts

        settings = settings_from(opts)
        doc = load_article(article)
        if opts.dry_run:
            from newsdesk.cli.dryrun import print_prompts

            print_prompts(
                dry_run_prompts(
                    doc,
                    settings.article_budget,
                    settings.model_name,
                    party,
                    max_parties,
                    settings.small_model,
                ),
                settings,
            )
            return
        llm = client_for(settings)
        with status(f"Finding parties with {settings.model_name}…", enabled=not opts.json):
            result = analyse_stance(doc, llm, party=party, max_parties=max_parties)
        usage = llm.usage.total()
        inputs = {"party": party, "max_parties": max_parties}
        remember(settings, "stance", doc, inputs, result, View(usage=usage))
        show("stance", result, opts.json, View(usage=usage, article=doc))
        if not opts.json:
            from newsdesk.render.terminal import footer

            typer.echo(footer(usage), err=True)

    guarded(run)
