"""The one shape of a task: what every task (ask, summarize, stance, brief, check, and any
plugin's) is, so that the CLI, `newsdesk eval`, `newsdesk serve` and the public API all use it
through the registry (`tasks.registry`) and none of them knows a task by name.

A task, whatever it asks:

1. builds `newsdesk.prompts.Prompt`s with `prompts.build_prompt`;
2. calls the model only through `LLMClient.structured(prompt, ...)`, the one cache-key rule;
3. checks every statement with the one grounding module (`newsdesk.grounding.ground`);
4. returns a typed result: a `newsdesk.schema.Record`, whose `to_dict()` is the `--json` output;
5. measures what it used with `llm.usage.mark()` / `llm.usage.since(mark)`.

A task module exports one `TASK`, an instance of a `Task` subclass, which carries its name, its
help, its `Param`s (each one an eval var, an HTTP field and a CLI argument or option), how it
runs (`answer` for the CLI and the server, `run` for eval), the prompts `--dry-run` prints, and
its renderers: the terminal view and one per file format (`json` always).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

if TYPE_CHECKING:  # types only: the registry, and so `newsdesk --help`, import this module
    from rich.console import Console

    from newsdesk.article import Article
    from newsdesk.citations import Citation
    from newsdesk.config import Settings
    from newsdesk.llm.client import LLMClient
    from newsdesk.llm.usage import Usage
    from newsdesk.prompts import Prompt

Vars = Mapping[str, Any]  # the variables of one run (an eval case's vars, a request's fields)
Progress = Callable[[int, int], None]  # (done, total) of a long run's steps
Renderer = Callable[[Any, "View"], str]  # a result as the text of one file format


@dataclass(frozen=True)
class Param:
    """One thing a task reads besides the article: an eval var, a field of its HTTP request, and
    a CLI argument (no `flags`) or option."""

    name: str
    help: str
    flags: tuple[str, ...] = ()  # "--party", "-p"; none: a positional argument
    kind: Literal["text", "int", "bool", "choice", "file"] = "text"  # file: a path or -, read
    default: Any = None
    required: bool = False
    choices: tuple[str, ...] = ()
    low: int | None = None
    high: int | None = None
    max_length: int | None = None  # of a text value over HTTP
    several: bool = False  # the CLI takes one or more values and runs the task once per value
    display: bool = False  # only how the result is shown: not a variable of the run


class FileText(str):
    """A file param's text, which remembers where it was read (`label`) for error messages."""

    label: str

    def __new__(cls, text: str, label: str) -> FileText:
        value = super().__new__(cls, text)
        value.label = label
        return value


def label_of(value: Any, default: str) -> str:
    return value.label if isinstance(value, FileText) else default


@dataclass(frozen=True)
class View:
    """What a renderer may need beside the result."""

    usage: Usage | None = None  # what the run used
    article: Article | None = None  # the article the result is about (stance quotes it)
    several: bool = False  # one of several results printed in a row (ask's questions)
    options: Mapping[str, Any] = field(default_factory=dict)  # the task's display params
    json: bool = False  # the result went to stdout as JSON (footers may differ)


PLAIN = View()


@dataclass(frozen=True)
class Job:
    """One job for a task, from the CLI or the server: its articles, the client, its variables,
    and where a long run reports its progress."""

    articles: Sequence[Article]
    llm: LLMClient
    variables: Vars
    progress: Progress | None = None

    @property
    def article(self) -> Article:
        """The article (a task that takes one)."""
        return self.articles[0]


@dataclass(frozen=True)
class DryRun:
    """What `--dry-run` prints: the prompts, then a note on what would follow, if anything."""

    prompts: list[Prompt[Any]]
    note: str | None = None


@dataclass
class TaskOutput:
    """What an eval assertion sees of one task run."""

    output: str  # the text assertions check
    article: Article | None  # None: the user's own prompt (no article, no citations)
    result: dict[str, Any] = field(default_factory=dict)  # the --json output
    citations: list[Citation] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # ids the task discarded, for any reason
    invalid: list[str] = field(default_factory=list)  # ids that were not real, shown sentences
    abstained: bool | None = None  # None: the task has no notion of abstaining
    parties: list[dict[str, Any]] | None = None


class Task:
    """One task. Subclasses set the class attributes and implement `answer`, `run`, `prompts`,
    `terminal`; the rest have defaults."""

    name: ClassVar[str]
    help: ClassVar[str]  # its --help; the first paragraph is its summary everywhere
    params: ClassVar[tuple[Param, ...]] = ()
    status: ClassVar[str] = "Working"  # the spinner: "<status> with <model>…"
    several_articles: ClassVar[bool] = False  # one result over all its articles (brief)
    batch: ClassVar[bool] = False  # -o DIR/: one output file per article
    output_file: ClassVar[bool] = False  # -o FILE: its result in the format the suffix names
    batch_help: ClassVar[str] = ""  # what -o does, when the task has batch mode or output_file
    noun: ClassVar[str] = "result"  # what one output is called in messages ("summary")
    formats: ClassVar[Mapping[str, Renderer]]  # file formats, json first; in messages' order
    exports: ClassVar[tuple[str, ...]] = ()  # names `newsdesk` exports from the task's module

    @property
    def summary(self) -> str:
        """Its help's first paragraph, on one line."""
        return " ".join(self.help.strip().split("\n\n")[0].split())

    @property
    def variables(self) -> tuple[str, ...]:
        """The variables it reads besides the article (e.g. "question")."""
        return tuple(p.name for p in self.params if not p.display)

    @property
    def required(self) -> tuple[str, ...]:
        """Of those, the ones it cannot run without."""
        return tuple(p.name for p in self.params if p.required and not p.display)

    def defaults(self, variables: Vars) -> dict[str, Any]:
        """`variables` with every missing one at its default."""
        return {p.name: variables.get(p.name, p.default) for p in self.params if not p.display}

    # ---------------------------------------------------------------- running

    def answer(self, job: Job) -> Any:
        """The result Record for the CLI and the server (one article unless
        `several_articles`)."""
        raise NotImplementedError

    def run(
        self, article: Article, llm: LLMClient, variables: Vars, template: str | None = None
    ) -> TaskOutput:
        """Job for `newsdesk eval`; `template` is a prompt variant (None: the task's own)."""
        raise NotImplementedError

    def prompts(
        self, article: Article, settings: Settings, variables: Vars, template: str | None = None
    ) -> list[Prompt[Any]]:
        """The prompts `run` would send first, calling nothing."""
        raise NotImplementedError

    def plan(self, articles: Sequence[Article], settings: Settings, variables: Vars) -> DryRun:
        """What --dry-run prints."""
        return DryRun(self.prompts(articles[0], settings, variables))

    def failed(self, result: Any) -> bool:
        """Whether the command exits 1 (check: a sentence failed)."""
        return False

    # ---------------------------------------------------------------- showing

    def render(self, fmt: str, result: Any, view: View = PLAIN) -> str:
        return self.formats[fmt](result, view)

    def record(self, result: Any, view: View = PLAIN) -> Any:
        """The value --json prints, as data (what the HTTP API and the history return)."""
        return json.loads(self.render("json", result, view))

    def terminal(self, console: Console, result: Any, view: View) -> None:
        """The result on a terminal."""
        raise NotImplementedError

    def footer(self, result: Any, view: View) -> str | None:
        """The line on stderr after the result, if any."""
        return None
