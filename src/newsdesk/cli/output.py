"""One way from a result to what the user asked for: the terminal, JSON on stdout (--json), or
a file whose suffix (-o brief.html, batch --format) picks markdown, html, json or text.

Each (command, format) pair is one renderer in a table; a command calls `show` or `write` and
never chooses a renderer itself. Renderers import their module when called, so a command pays
only for the format it prints.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from newsdesk.article import Article
    from newsdesk.llm.usage import Usage


@dataclass(frozen=True)
class View:
    """What a renderer may need beside the result."""

    usage: Usage | None = None  # ask and stance print the call's usage beside the result
    article: Article | None = None  # stance's terminal view quotes the article
    show_question: bool = False  # ask with several questions
    show_evidence: bool = False  # summarize --show-evidence


PLAIN = View()
# suffix -> format; the first suffix of a format is the one messages name
SUFFIXES = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".txt": "text",
}


def _json(data: Any, indent: int | None = 2) -> str:
    return json.dumps(data, ensure_ascii=False, indent=indent)


def _with_usage(result: Any, view: View) -> dict[str, Any]:
    data: dict[str, Any] = result.to_dict()
    if view.usage is not None:
        data["usage"] = view.usage.to_dict()
    return data


def _ask_json(result: Any, view: View) -> str:
    return _json(_with_usage(result, view), indent=None)  # one line per question


def _indented_json(result: Any, view: View) -> str:
    return _json(_with_usage(result, view))


def _summary_json(result: Any, view: View) -> str:
    return _json(result.to_dict())


def _summary_markdown(result: Any, view: View) -> str:
    from newsdesk.render.summary import summary_markdown

    return summary_markdown(result, show_evidence=view.show_evidence)


def _summary_text(result: Any, view: View) -> str:
    from newsdesk.render.summary import summary_plain

    return summary_plain(result)


def _brief_markdown(result: Any, view: View) -> str:
    from newsdesk.render.markdown import render_markdown

    return render_markdown(result)


def _brief_html(result: Any, view: View) -> str:
    from newsdesk.render.html import render_html

    return render_html(result)


def _brief_json(result: Any, view: View) -> str:
    from newsdesk.render.jsonout import render_json

    return render_json(result)


Renderer = Callable[[Any, View], str]
# per command, its formats in the order messages name them
RENDERERS: dict[str, dict[str, Renderer]] = {
    "ask": {"json": _ask_json},
    "stance": {"json": _indented_json},
    "summarize": {"markdown": _summary_markdown, "text": _summary_text, "json": _summary_json},
    "brief": {"markdown": _brief_markdown, "html": _brief_html, "json": _brief_json},
    "check": {"json": _indented_json},
}


def _ask_terminal(result: Any, view: View) -> None:
    from newsdesk.cli.runtime import stdout_console
    from newsdesk.render.terminal import print_ask

    print_ask(stdout_console(), result, show_question=view.show_question)


def _stance_terminal(result: Any, view: View) -> None:
    from newsdesk.cli.runtime import stdout_console
    from newsdesk.render.stance import print_stance

    assert view.article is not None, "stance's terminal view needs the article"
    print_stance(stdout_console(), result, view.article)


def _summary_terminal(result: Any, view: View) -> None:
    from newsdesk.cli.runtime import stdout_console
    from newsdesk.render.summary import print_summary

    print_summary(stdout_console(), result, show_evidence=view.show_evidence)


def _brief_terminal(result: Any, view: View) -> None:
    from rich.console import Console
    from rich.markdown import Markdown

    Console(highlight=False).print(Markdown(_brief_markdown(result, view)))


def _check_terminal(result: Any, view: View) -> None:
    from newsdesk.cli.runtime import stdout_console
    from newsdesk.render.check import print_check

    print_check(stdout_console(), result)


TERMINAL: dict[str, Callable[[Any, View], None]] = {
    "check": _check_terminal,
    "ask": _ask_terminal,
    "stance": _stance_terminal,
    "summarize": _summary_terminal,
    "brief": _brief_terminal,
}


def _suffix(fmt: str) -> str:
    return next(s for s, f in SUFFIXES.items() if f == fmt)


def formats_hint(command: str, dot: bool = False) -> str:
    """`md, html or json`: the formats `command` writes, by suffix."""
    names = [_suffix(f)[0 if dot else 1 :] for f in RENDERERS[command]]
    return ", ".join(names[:-1]) + " or " + names[-1]


def file_format(command: str, suffix: str) -> str | None:
    """The format a file with `suffix` gets from `command`, or None when it writes no such file."""
    fmt = SUFFIXES.get(suffix.lower())
    return fmt if fmt in RENDERERS[command] else None


def render(command: str, result: Any, fmt: str, view: View = PLAIN) -> str:
    return RENDERERS[command][fmt](result, view)


def json_record(command: str, result: Any, view: View = PLAIN) -> Any:
    """The value `--json` prints, as data (what the HTTP API and the history return)."""
    return json.loads(render(command, result, "json", view))


def show(command: str, result: Any, json_out: bool, view: View = PLAIN) -> None:
    """On stdout: the JSON form with --json, else the terminal view."""
    if not json_out:
        TERMINAL[command](result, view)
        return
    text = render(command, result, "json", view)
    typer.echo(text, nl=not text.endswith("\n"))


def write(command: str, result: Any, path: Path, view: View = PLAIN) -> None:
    """Write `result` to `path` in the format its suffix names (checked by the caller)."""
    from newsdesk.atomic import write_atomic

    fmt = file_format(command, path.suffix)
    assert fmt is not None, f"{path}: the caller checks the suffix first"
    write_atomic(path, render(command, result, fmt, view))
    typer.echo(f"wrote {path}", err=True)
