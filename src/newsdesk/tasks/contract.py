"""The contract every task (ask, summarize, stance, brief) follows.

A task, whatever it asks:

1. builds `newsdesk.prompts.Prompt`s (messages, shown ids, schema from its pydantic output
   model, token count, max tokens) with `prompts.build_prompt`;
2. calls the model only through `LLMClient.structured(prompt, ...)`, the one cache-key rule;
3. checks every statement with the one grounding module (`newsdesk.grounding.ground`);
4. returns a typed result: a `newsdesk.schema.Record` (pydantic), whose `to_dict()` is the
   `--json` output and `json_schema()` that output's JSON Schema;
5. measures what it used with `llm.usage.mark()` / `llm.usage.since(mark)`.

Each task module exposes a `TASK` object of the `Task` protocol below: what `newsdesk eval` (and
any other caller that runs tasks by name) uses, so nothing there inspects signatures.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from newsdesk.article import Article
    from newsdesk.citations import Citation
    from newsdesk.config import Settings
    from newsdesk.llm.client import LLMClient
    from newsdesk.prompts import Prompt


Vars = Mapping[str, Any]  # the variables of one run (an eval case's vars)


@dataclass
class TaskOutput:
    """What an assertion sees of one task run."""

    output: str  # the text assertions check
    article: Article | None  # None: the user's own prompt (no article, no citations)
    result: dict[str, Any] = field(default_factory=dict)  # the --json output
    citations: list[Citation] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # ids the task discarded, for any reason
    invalid: list[str] = field(default_factory=list)  # ids that were not real, shown sentences
    abstained: bool | None = None  # None: the task has no notion of abstaining
    parties: list[dict[str, Any]] | None = None


class Task(Protocol):
    """A task as callers that run it by name see it."""

    name: str
    variables: tuple[str, ...]  # the variables it reads besides the article (e.g. "question")
    required: tuple[str, ...]  # of those, the ones it cannot run without

    def run(
        self, article: Article, llm: LLMClient, variables: Vars, template: str | None = None
    ) -> TaskOutput:
        """Run on one article; `template` is a prompt variant (None: the task's own)."""
        ...

    def prompts(
        self, article: Article, settings: Settings, variables: Vars, template: str | None = None
    ) -> list[Prompt[Any]]:
        """The prompts `run` would send first (for --dry-run), calling nothing."""
        ...


# The one list of tasks: name -> the module whose `TASK` runs it. `get_task`, eval's suite
# loader (`prompts: [check]`) and the known-task messages all read it; a new task is one line.
TASK_MODULES: dict[str, str] = {
    "ask": "newsdesk.tasks.ask",
    "summarize": "newsdesk.tasks.summarize",
    "stance": "newsdesk.tasks.stance",
    "brief": "newsdesk.tasks.brief",
    "check": "newsdesk.tasks.check",
}
TASK_NAMES = tuple(TASK_MODULES)


def get_task(name: str) -> Task:
    """The task called `name`, imported on demand (each pulls in its own dependencies)."""
    module = importlib.import_module(TASK_MODULES[name])  # KeyError: no such task
    task: Task = module.TASK
    return task
