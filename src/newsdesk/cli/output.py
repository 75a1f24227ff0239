"""One way from a task's result to what the user asked for: the terminal, JSON on stdout
(--json), or a file whose suffix (-o brief.html, batch --format) picks one of the task's formats.

The renderers are the task's own (`Task.formats`, `Task.terminal`); this module only chooses
among them and writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from newsdesk.atomic import write_atomic
from newsdesk.cli.runtime import stdout_console
from newsdesk.tasks.contract import PLAIN, Task, View

# suffix -> format; the first suffix of a format is the one messages name
SUFFIXES = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".txt": "text",
}


def _suffix(fmt: str) -> str:
    return next(s for s, f in SUFFIXES.items() if f == fmt)


def formats_hint(task: Task, dot: bool = False) -> str:
    """`md, html or json`: the formats `task` writes, by suffix."""
    names = [_suffix(f)[0 if dot else 1 :] for f in task.formats]
    return ", ".join(names[:-1]) + " or " + names[-1]


def file_format(task: Task, suffix: str) -> str | None:
    """The format a file with `suffix` gets from `task`, or None when it writes no such file."""
    fmt = SUFFIXES.get(suffix.lower())
    return fmt if fmt in task.formats else None


def show(task: Task, result: Any, view: View = PLAIN) -> None:
    """On stdout: the JSON form with --json (`view.json`), else the terminal view."""
    if not view.json:
        task.terminal(stdout_console(), result, view)
        return
    text = task.render("json", result, view)
    typer.echo(text, nl=not text.endswith("\n"))


def write(task: Task, result: Any, path: Path, view: View = PLAIN) -> None:
    """Write `result` to `path` in the format its suffix names (checked by the caller)."""
    fmt = file_format(task, path.suffix)
    assert fmt is not None, f"{path}: the caller checks the suffix first"
    write_atomic(path, task.render(fmt, result, view))
    typer.echo(f"wrote {path}", err=True)
