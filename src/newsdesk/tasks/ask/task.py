"""`ask` as one registered task: its question, how it runs, how it is shown."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from rich.console import Console

from newsdesk.article import Article
from newsdesk.config import Settings
from newsdesk.llm.client import LLMClient
from newsdesk.prompts import Prompt
from newsdesk.render.terminal import footer
from newsdesk.tasks.ask.render import ask_json, print_ask
from newsdesk.tasks.ask.run import AskResult, ask, build_prompt
from newsdesk.tasks.contract import Job, Param, Renderer, Task, TaskOutput, Vars, View
from newsdesk.tasks.profile import small_model


class AskTask(Task):
    name = "ask"
    help = """Answer questions about an article, citing its sentences verbatim.

    Several questions load the article and the model once. With --json, one JSON object per
    question, one per line: {question, answer, answerable, supported, grounding,
    unsupported_terms, citations, dropped_citations, usage}.
    """
    params = (
        Param("question", "One or more questions.", required=True, several=True, max_length=2000),
    )
    status = "Asking"
    formats: ClassVar[Mapping[str, Renderer]] = {"json": ask_json}
    exports = ("ask", "AskResult")

    def answer(self, job: Job) -> AskResult:
        return ask(job.article, str(job.variables["question"]), job.llm)

    def run(
        self, article: Article, llm: LLMClient, variables: Vars, template: str | None = None
    ) -> TaskOutput:
        result = ask(article, str(variables["question"]), llm, template)
        # A non-answer's citations are discarded even when they are real ids: only unknown ids
        # count as invalid there (the schema already limits ids to the sentences shown).
        invalid = (
            list(result.dropped)
            if result.answerable
            else [i for i in result.dropped if i not in article.by_id]
        )
        return TaskOutput(
            output=result.answer,
            article=article,
            result=result.to_dict(),
            citations=list(result.citations),
            dropped=list(result.dropped),
            invalid=invalid,
            abstained=not result.answerable,
        )

    def prompts(
        self, article: Article, settings: Settings, variables: Vars, template: str | None = None
    ) -> list[Prompt[Any]]:
        question = str(variables["question"])
        budget, model, small = settings.article_budget, settings.model_name, small_model(settings)
        return [build_prompt(article, question, budget, model, template, small)]

    def terminal(self, console: Console, result: AskResult, view: View) -> None:
        print_ask(console, result, show_question=view.several)

    def footer(self, result: Any, view: View) -> str | None:
        return None if view.json or view.usage is None else footer(view.usage)


TASK = AskTask()
