"""`brief` as one registered task: how it runs on one or more articles, how it is shown and
written (Markdown, HTML, JSON)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from rich.console import Console
from rich.markdown import Markdown

from newsdesk.article import Article
from newsdesk.citations import resolve
from newsdesk.config import Settings
from newsdesk.llm.client import LLMClient
from newsdesk.prompts import Prompt
from newsdesk.render.terminal import footer
from newsdesk.tasks.brief.render import render_html, render_json, render_markdown
from newsdesk.tasks.brief.results import Briefing
from newsdesk.tasks.brief.run import brief, build_prompts, dry_run_prompts
from newsdesk.tasks.contract import DryRun, Job, Renderer, Task, TaskOutput, Vars, View
from newsdesk.tasks.profile import small_model


class BriefTask(Task):
    name = "brief"
    help = """Brief one or more articles: headline, key points, who is who, disagreements, what is
    unconfirmed, and questions to ask next, every statement citing its sentences.

    With several articles: one section each, then what connects them. Without -o the briefing
    prints to the terminal as Markdown. --json prints the JSON form on stdout.
    Batch mode, when -o is a directory (or an input is): one briefing per article in it,
    resumable (existing outputs are skipped), failures listed at the end.
    """
    status = "Briefing"
    several_articles = True
    batch = True
    noun = "briefing"
    output_file = True
    batch_help = "Write the briefing here; the suffix picks .md, .html or .json."
    formats: ClassVar[Mapping[str, Renderer]] = {
        "markdown": lambda result, view: render_markdown(result),
        "html": lambda result, view: render_html(result),
        "json": lambda result, view: render_json(result),
    }
    exports = ("brief", "Briefing", "ArticleBrief", "Statement")

    def answer(self, job: Job) -> Briefing:
        return brief(list(job.articles), job.llm)

    def run(
        self, article: Article, llm: LLMClient, variables: Vars, template: str | None = None
    ) -> TaskOutput:
        """Output: the briefing as JSON; citations: every sentence it cites."""
        result = brief([article], llm, template)
        data = result.to_dict()
        ids: set[str] = set()
        for a in result.articles:
            ids |= a.cited_ids()
        return TaskOutput(
            output=json.dumps(data, ensure_ascii=False),
            article=article,
            result=data,
            citations=resolve(ids, article),
            invalid=sorted(i for i in ids if i not in article.by_id),
            parties=[p.to_dict() for a in result.articles for p in a.parties],
        )

    def prompts(
        self, article: Article, settings: Settings, variables: Vars, template: str | None = None
    ) -> list[Prompt[Any]]:
        budget, model, small = settings.article_budget, settings.model_name, small_model(settings)
        return build_prompts(article, budget, model, small, template)[2]

    def plan(self, articles: Sequence[Article], settings: Settings, variables: Vars) -> DryRun:
        prompts = dry_run_prompts(
            list(articles), settings.article_budget, settings.model_name, small_model(settings)
        )
        several = "then one cross-article call on the articles' key points"
        return DryRun(prompts, several if len(articles) > 1 else None)

    def terminal(self, console: Console, result: Briefing, view: View) -> None:
        console.print(Markdown(render_markdown(result)), soft_wrap=False)  # Markdown wraps itself

    def footer(self, result: Briefing, view: View) -> str | None:
        return footer(result.usage)  # with --json too: stdout holds only the JSON


TASK = BriefTask()
