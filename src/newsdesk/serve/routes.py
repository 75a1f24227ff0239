"""The route table: one route per registered task (`tasks.registry`), its request body made from
the task's `Param`s, and its answer exactly the record the command prints with --json
(`Task.record`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from newsdesk.article import Article
from newsdesk.llm.client import LLMClient
from newsdesk.serve.jobs import Report
from newsdesk.tasks import registry
from newsdesk.tasks.contract import Job, Param, Task, View

ArticleText = Field(min_length=1, description="The article's text (UTF-8), as a file holds it.")


class TaskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    article: str = ArticleText


def _field(p: Param) -> tuple[Any, Any]:
    """A param as a request field: (type, Field)."""
    if p.kind == "int":
        return int, Field(default=p.default, ge=p.low, le=p.high, description=p.help)
    if p.kind == "bool":
        return bool, Field(default=bool(p.default), description=p.help)
    if p.kind == "choice":
        return Literal[p.choices], Field(default=p.default, description=p.help)
    if p.required:  # text, or a file's text (a draft)
        return str, Field(min_length=1, max_length=p.max_length, description=p.help)
    return str | None, Field(default=p.default, max_length=p.max_length, description=p.help)


def request_model(task: Task) -> type[TaskRequest]:
    """`task`'s request body: the article, then its params (one value each; no display ones)."""
    fields = {p.name: _field(p) for p in task.params if not p.display}
    name = task.name.title().replace("_", "") + "Request"
    return create_model(name, __base__=TaskRequest, **fields)  # type: ignore[call-overload, no-any-return]


@dataclass(frozen=True)
class Route:
    task: Task
    request: type[TaskRequest]

    @property
    def name(self) -> str:
        return self.task.name

    @property
    def summary(self) -> str:
        return self.task.summary

    def inputs(self, req: TaskRequest) -> dict[str, Any]:
        """What the history lists beside the article: the request minus the article."""
        return req.model_dump(exclude={"article"})

    def run(self, doc: Article, llm: LLMClient, req: TaskRequest, report: Report) -> Any:
        """The --json record of the task on `doc`; a long run reports its progress."""

        def progress(done: int, total: int) -> None:
            report({"event": "progress", "done": done, "total": total})

        mark = llm.usage.mark()
        result = self.task.answer(Job([doc], llm, self.inputs(req), progress))
        return self.task.record(result, View(usage=llm.usage.since(mark), article=doc))


ROUTES: dict[str, Route] = {
    name: Route(task, request_model(task))
    for name, task in ((n, registry.get_task(n)) for n in registry.names())
}
