"""The one registry of tasks: the CLI (one command per task), `newsdesk eval` (`prompts:
[check]`), `newsdesk serve` (a route per task), `--dry-run` and the public API all find a task
here, and nowhere else.

A built-in task is one entry in `BUILTIN`: its name, the module whose `TASK` it is, and its
summary (its help's first paragraph, which a test holds equal), which `newsdesk --help` prints
without importing the task. A plugin is a module with a `TASK` (a `tasks.contract.Task`)
registered under the `newsdesk.tasks` entry-point group, as simonw/llm finds its plugins:

    [project.entry-points."newsdesk.tasks"]
    timeline = "newsdesk_timeline"

Tasks are imported only when asked for, so a command pays only for its own task.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import import_module
from importlib.metadata import entry_points

from newsdesk.errors import ConfigError
from newsdesk.tasks.contract import Task

GROUP = "newsdesk.tasks"


@dataclass(frozen=True)
class Entry:
    name: str
    module: str  # whose `TASK` it is
    summary: str | None = None  # its help's first paragraph; None: read from the task


BUILTIN: dict[str, Entry] = {
    e.name: e
    for e in (
        Entry(
            "ask",
            "newsdesk.tasks.ask",
            "Answer questions about an article, citing its sentences verbatim.",
        ),
        Entry(
            "summarize",
            "newsdesk.tasks.summarize",
            "Summarise an article; every line carries the ids of the sentences it rests on.",
        ),
        Entry(
            "stance",
            "newsdesk.tasks.stance",
            "Every party in an article: role, position, stance on the central issue, own words.",
        ),
        Entry(
            "brief",
            "newsdesk.tasks.brief",
            "Brief one or more articles: headline, key points, who is who, disagreements, what is "
            "unconfirmed, and questions to ask next, every statement citing its sentences.",
        ),
        Entry(
            "check",
            "newsdesk.tasks.check",
            "Check a draft against an article, sentence by sentence.",
        ),
    )
}


@lru_cache(maxsize=1)
def plugins() -> dict[str, Entry]:
    """Tasks other packages register (a built-in name cannot be taken)."""
    found: dict[str, Entry] = {}
    for ep in entry_points(group=GROUP):
        if ep.name not in BUILTIN:
            found[ep.name] = Entry(ep.name, ep.value.split(":")[0])
    return found


def entries() -> dict[str, Entry]:
    """Every task, built-in first."""
    return {**BUILTIN, **plugins()}


def names() -> tuple[str, ...]:
    return tuple(entries())


def is_task(name: str) -> bool:
    return name in BUILTIN or name in plugins()


def summary(name: str) -> str:
    entry = entries()[name]
    return entry.summary if entry.summary is not None else get_task(name).summary


@cache
def get_task(name: str) -> Task:
    """The task called `name`, imported on first use. Raises KeyError for no such task."""
    entry = BUILTIN.get(name) or plugins()[name]
    task = getattr(import_module(entry.module), "TASK", None)
    if not isinstance(task, Task) or task.name != name:
        raise ConfigError(f"{entry.module}: its TASK is not a newsdesk task named {name!r}")
    return task
