"""The newsdesk command line. Thin: each command parses, calls one function, renders."""

from __future__ import annotations

import typer

from newsdesk import __version__
from newsdesk.cli.ask import ask
from newsdesk.cli.brief import brief
from newsdesk.cli.cache import cache_app
from newsdesk.cli.check import check
from newsdesk.cli.chunk import chunk
from newsdesk.cli.doctor import doctor
from newsdesk.cli.eval import eval_cmd
from newsdesk.cli.mcp import mcp
from newsdesk.cli.models import models
from newsdesk.cli.serve import serve
from newsdesk.cli.stance import stance
from newsdesk.cli.summarize import summarize

app = typer.Typer(
    name="newsdesk",
    help="Answers for a news article: cited answers, summaries, stances and briefings.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: rich's help renderer costs ~0.25 s at every --help
    context_settings={"help_option_names": ["-h", "--help"]},
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


app.command()(ask)
app.command()(brief)
app.command()(check)
app.command()(chunk)
app.command()(doctor)
app.command(name="eval")(eval_cmd)
app.command()(mcp)
app.command()(models)
app.command()(serve)
app.command()(stance)
app.command()(summarize)
app.add_typer(cache_app, name="cache")


def main() -> None:
    app()


def ask_main() -> None:
    """The `ask` console script: `ask ARTICLE QUESTION...`, the same as `newsdesk ask`."""
    single = typer.Typer(
        add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None
    )
    single.command()(ask)
    single()
