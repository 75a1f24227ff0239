"""The newsdesk command line: one click group that loads only the command it runs.

A task's command is built from the task (`cli.taskcommand`, from `tasks.registry`); the other
commands are Typer functions, one module each. `newsdesk --help` lists every command from the
summaries here and in the registry, importing none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from newsdesk import __version__
from newsdesk.tasks import registry


@dataclass(frozen=True)
class Command:
    """A command that is not a task: the module and name of its Typer function (or app)."""

    module: str
    attr: str
    summary: str  # its help's first paragraph (a test holds them equal)


COMMANDS: dict[str, Command] = {
    "cache": Command(
        "newsdesk.cli.cache",
        "cache_app",
        "Inspect or clear the response cache and the embedded model's saved KV states.",
    ),
    "chunk": Command(
        "newsdesk.cli.chunk",
        "chunk",
        "Show how the article is split into token-aware chunks on sentence boundaries.",
    ),
    "doctor": Command(
        "newsdesk.cli.doctor",
        "doctor",
        "Check the configuration: endpoint, model, reachability, structured output, cache.",
    ),
    "eval": Command(
        "newsdesk.cli.eval",
        "eval_cmd",
        "Run prompt regression suites: each test's assertions on every prompt x provider.",
    ),
    "mcp": Command(
        "newsdesk.cli.mcp",
        "mcp",
        "Serve every task (ask, summarize, stance, brief, check) as Model Context Protocol "
        "tools on stdin/stdout, so an assistant can answer from an article with verified "
        "citations.",
    ),
    "models": Command(
        "newsdesk.cli.models",
        "models",
        "List the embedded models: size, licence, source packages, assembled yet, speed here.",
    ),
    "serve": Command(
        "newsdesk.cli.serve",
        "serve",
        "Serve the desk: open the printed URL, paste or open an article, then ask, summarize, "
        "stance, brief and check a draft, every citation a link to its sentence.",
    ),
}
TYPER_SETTINGS: dict[str, Any] = {
    "add_completion": False,
    "pretty_exceptions_enable": False,
    "rich_markup_mode": None,  # plain help: rich's help renderer costs ~0.25 s at every --help
}


def _typer_command(name: str, spec: Command) -> TyperCommand | TyperGroup:
    value = getattr(import_module(spec.module), spec.attr)
    if isinstance(value, typer.Typer):
        group = typer.main.get_group(value)
        group.name = name
        assert isinstance(group, TyperGroup)
        return group
    single = typer.Typer(**TYPER_SETTINGS)
    single.command(name=name)(value)
    command = typer.main.get_command(single)
    assert isinstance(command, TyperCommand)
    return command


def short_help(text: str, limit: int) -> str:
    """The first sentence of `text`, or its first words and "...", within `limit` (as click)."""
    words = text.split()
    if len(" ".join(words)) <= limit:
        return " ".join(words)
    kept: list[str] = []
    for word in words:
        if len(" ".join([*kept, word])) > limit - 3:
            break
        kept.append(word)
        if word.endswith("."):
            return " ".join(kept)
    return " ".join(kept) + "..."


class Newsdesk(TyperGroup):
    """Commands are found by name when they run (`get_command`), not all at start."""

    def list_commands(self, ctx: Any) -> list[str]:
        return sorted({*registry.names(), *COMMANDS})

    def get_command(self, ctx: Any, cmd_name: str) -> TyperCommand | TyperGroup | None:
        if registry.is_task(cmd_name):
            # the task commands' module, and through it the task's, load only when one runs
            taskcommand = import_module("newsdesk.cli.taskcommand")
            built: TyperCommand = taskcommand.task_command(registry.get_task(cmd_name))
            return built
        spec = COMMANDS.get(cmd_name)
        return _typer_command(cmd_name, spec) if spec else None

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(n) for n in names)
        summaries = {
            n: COMMANDS[n].summary if n in COMMANDS else registry.summary(n) for n in names
        }
        with formatter.section("Commands"):
            formatter.write_dl([(n, short_help(summaries[n], limit)) for n in names])


app = typer.Typer(
    name="newsdesk",
    cls=Newsdesk,
    help="Answers for a news article: cited answers, summaries, stances and briefings.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    **TYPER_SETTINGS,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"newsdesk {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version."
    ),
) -> None:
    """Answers for a news article: cited answers, summaries, stances and briefings."""


def main() -> None:
    app()


def ask_main() -> None:
    """The `ask` console script: `ask ARTICLE QUESTION...`, the same as `newsdesk ask`."""
    taskcommand = import_module("newsdesk.cli.taskcommand")
    taskcommand.task_command(registry.get_task("ask"))(prog_name="ask")
