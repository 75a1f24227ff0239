"""The route table: each task's request body, the task function it calls, and the record it
returns, which is exactly what the command prints with --json (cli.output.json_record)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from newsdesk.article import Article
from newsdesk.cli.output import View, json_record
from newsdesk.llm.client import LLMClient
from newsdesk.serve.jobs import Report
from newsdesk.tasks.ask import ask as ask_task
from newsdesk.tasks.brief import brief as brief_task
from newsdesk.tasks.check import check as check_task
from newsdesk.tasks.stance import analyse_stance
from newsdesk.tasks.stance.rules import DEFAULT_MAX_PARTIES
from newsdesk.tasks.summarize import summarize as summarize_task

ArticleText = Field(min_length=1, description="The article's text (UTF-8), as a file holds it.")


class TaskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    article: str = ArticleText


class AskRequest(TaskRequest):
    question: str = Field(min_length=1, max_length=2000)


class SummarizeRequest(TaskRequest):
    length: Literal["headline", "short", "bullets", "long"] = "bullets"


class StanceRequest(TaskRequest):
    party: str | None = Field(default=None, max_length=200)
    max_parties: int = Field(default=DEFAULT_MAX_PARTIES, ge=1, le=20)


class BriefRequest(TaskRequest):
    pass


class CheckRequest(TaskRequest):
    draft: str = Field(min_length=1)


Runner = Callable[[Article, LLMClient, Any, Report], Any]


@dataclass(frozen=True)
class Route:
    name: str
    request: type[TaskRequest]
    run: Runner  # -> the --json record (a dict)
    summary: str

    def inputs(self, req: TaskRequest) -> dict[str, Any]:
        """What the history lists beside the article: the request minus the article."""
        return req.model_dump(exclude={"article"})


def _ask(doc: Article, llm: LLMClient, req: AskRequest, report: Report) -> Any:
    mark = llm.usage.mark()
    result = ask_task(doc, req.question, llm)
    return json_record("ask", result, View(usage=llm.usage.since(mark)))


def _summarize(doc: Article, llm: LLMClient, req: SummarizeRequest, report: Report) -> Any:
    def progress(done: int, total: int) -> None:
        report({"event": "progress", "done": done, "total": total})

    return json_record("summarize", summarize_task(doc, llm, req.length, progress=progress))


def _stance(doc: Article, llm: LLMClient, req: StanceRequest, report: Report) -> Any:
    result = analyse_stance(doc, llm, party=req.party, max_parties=req.max_parties)
    return json_record("stance", result, View(usage=llm.usage.total()))


def _brief(doc: Article, llm: LLMClient, req: BriefRequest, report: Report) -> Any:
    return json_record("brief", brief_task([doc], llm))


def _check(doc: Article, llm: LLMClient, req: CheckRequest, report: Report) -> Any:
    return json_record("check", check_task(doc, req.draft, llm))


ROUTES: dict[str, Route] = {
    r.name: r
    for r in (
        Route("ask", AskRequest, _ask, "Answer a question, citing the article's sentences."),
        Route("summarize", SummarizeRequest, _summarize, "A summary, every line cited."),
        Route("stance", StanceRequest, _stance, "Every party: position, stance, own words."),
        Route("brief", BriefRequest, _brief, "A briefing: key points, who is who, unknowns."),
        Route("check", CheckRequest, _check, "Is each sentence of a draft true to the article?"),
    )
}
