"""`stance` as one registered task: which parties, how it runs, how it is shown."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from rich.console import Console

from newsdesk.article import Article
from newsdesk.config import Settings
from newsdesk.llm.client import LLMClient
from newsdesk.prompts import Prompt
from newsdesk.render.terminal import footer
from newsdesk.tasks.contract import Job, Param, Renderer, Task, TaskOutput, Vars, View
from newsdesk.tasks.profile import small_model
from newsdesk.tasks.stance.render import print_stance, stance_json
from newsdesk.tasks.stance.results import StanceResult
from newsdesk.tasks.stance.rules import DEFAULT_MAX_PARTIES
from newsdesk.tasks.stance.run import analyse_stance, dry_run_prompts


def _options(variables: Vars) -> dict[str, Any]:
    """`party` and `max_parties` from the vars (unset or empty: the defaults)."""
    options: dict[str, Any] = {}
    if variables.get("party"):
        options["party"] = str(variables["party"])
    if variables.get("max_parties"):
        options["max_parties"] = int(variables["max_parties"])
    return options


class StanceTask(Task):
    """In eval the output is the result as JSON; the parties are those analysed and the others
    found; the citations every analysed party's evidence."""

    name = "stance"
    help = """Every party in an article: role, position, stance on the central issue, own words.

    Parties come from a deterministic finder (names, titles, "X said", unnamed sources) and
    the model; their quotes are verbatim with sentence ids, kept apart from what others say
    about them. With --json: {central_issue, parties, disagreements, other_parties,
    model_proposed, model_rejected, failures, ungrounded_positions, dropped_citations, usage}.
    """
    params = (
        Param(
            "party",
            "Only this party (a name or alias, case-insensitive).",
            flags=("--party", "-p"),
            max_length=200,
        ),
        Param(
            "max_parties",
            "How many parties the model is asked about (most-mentioned first).",
            flags=("--max-parties",),
            kind="int",
            default=DEFAULT_MAX_PARTIES,
            low=1,
            high=20,
        ),
    )
    status = "Finding parties"
    formats: ClassVar[Mapping[str, Renderer]] = {"json": stance_json}
    exports = ("analyse_stance", "StanceResult", "Party")

    def answer(self, job: Job) -> StanceResult:
        options = {"party": None, "max_parties": DEFAULT_MAX_PARTIES, **_options(job.variables)}
        return analyse_stance(job.article, job.llm, **options)

    def run(
        self, article: Article, llm: LLMClient, variables: Vars, template: str | None = None
    ) -> TaskOutput:
        result = analyse_stance(article, llm, template=template, **_options(variables))
        data = result.to_dict()
        cited = {c.id: c for p in result.parties for c in p.evidence}
        return TaskOutput(
            output=json.dumps(data, ensure_ascii=False),
            article=article,
            result=data,
            citations=sorted(cited.values(), key=lambda c: int(c.id[1:])),
            dropped=list(result.dropped),
            invalid=list(result.dropped),
            parties=[p.to_dict() for p in [*result.parties, *result.others]],
        )

    def prompts(
        self, article: Article, settings: Settings, variables: Vars, template: str | None = None
    ) -> list[Prompt[Any]]:
        options = {"max_parties": DEFAULT_MAX_PARTIES, "party": None, **_options(variables)}
        return dry_run_prompts(
            article,
            settings.article_budget,
            settings.model_name,
            options["party"],
            options["max_parties"],
            small_model(settings),
            template,
        )

    def terminal(self, console: Console, result: StanceResult, view: View) -> None:
        assert view.article is not None, "stance's terminal view quotes the article"
        print_stance(console, result, view.article)

    def footer(self, result: Any, view: View) -> str | None:
        return None if view.json or view.usage is None else footer(view.usage)


TASK = StanceTask()
