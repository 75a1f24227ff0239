"""`check` as one registered task: the draft, how it runs, how it is shown, its exit code."""

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
from newsdesk.tasks.check.render import check_json, print_check
from newsdesk.tasks.check.run import CheckResult, check, prompts
from newsdesk.tasks.contract import (
    Job,
    Param,
    Renderer,
    Task,
    TaskOutput,
    Vars,
    View,
    label_of,
)


class CheckTask(Task):
    """The draft is a variable; in eval the output is the result as JSON (assert on `score` or
    the verdicts), the citations every sentence's."""

    name = "check"
    help = """Check a draft against an article, sentence by sentence.

    Each sentence of the draft is supported, unsupported (not stated), contradicted, or
    attributed elsewhere (the article only reports someone saying it), with the article's
    sentences that decide it and who says them. Exit 1 when any sentence fails. With --json:
    {sentences: [{n, text, verdict, reason, citations, checks, supported}], notes, usage, score}.
    """
    params = (
        Param("draft", "Draft file (UTF-8 text), or - for stdin.", kind="file", required=True),
    )
    status = "Checking"
    formats: ClassVar[Mapping[str, Renderer]] = {"json": check_json}
    exports = ("check", "CheckResult", "CheckedSentence")

    def answer(self, job: Job) -> CheckResult:
        draft = job.variables["draft"]
        return check(job.article, str(draft), job.llm, label_of(draft, "draft"))

    def run(
        self, article: Article, llm: LLMClient, variables: Vars, template: str | None = None
    ) -> TaskOutput:
        result = check(article, str(variables["draft"]), llm)
        cited = {c.id: c for s in result.sentences for c in s.citations}
        data = result.to_dict()
        return TaskOutput(
            output=json.dumps(data, ensure_ascii=False),
            article=article,
            result=data,
            citations=sorted(cited.values(), key=lambda c: int(c.id[1:])),
        )

    def prompts(
        self, article: Article, settings: Settings, variables: Vars, template: str | None = None
    ) -> list[Prompt[Any]]:
        return prompts(article, str(variables["draft"]), settings)

    def failed(self, result: CheckResult) -> bool:
        return bool(result.failed)

    def terminal(self, console: Console, result: CheckResult, view: View) -> None:
        print_check(console, result)

    def footer(self, result: CheckResult, view: View) -> str | None:
        return None if view.json or result.usage is None else footer(result.usage)


TASK = CheckTask()
