"""What every command does around its one call: settings, client, errors, output streams."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

import typer
from rich.console import Console

from newsdesk.article import Article
from newsdesk.cli.options import Common
from newsdesk.config import Settings, load_settings
from newsdesk.errors import NewsdeskError
from newsdesk.history import History
from newsdesk.llm.cache import default_cache_path
from newsdesk.llm.client import LLMClient, redact
from newsdesk.tasks.contract import Task, Vars, View

T = TypeVar("T")
DEFAULTS = Common()


def fail(message: str, code: int = 2) -> NoReturn:
    """One line on stderr, a non-zero exit, no traceback."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def guarded(fn: Callable[[], T]) -> T:
    """Run a command body, turning every expected failure into a one-line error."""
    try:
        return fn()
    except NewsdeskError as exc:
        fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except BrokenPipeError:
        # stdout closed early (e.g. `| head`): not an error worth a message
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(0) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:  # a bug: still one line, with the way to see more
        if os.environ.get("NEWSDESK_DEBUG"):
            raise
        key = os.environ.get("OPENAI_API_KEY")
        fail(
            redact(
                f"internal error: {type(exc).__name__}: {exc} "
                "(NEWSDESK_DEBUG=1 shows the traceback)",
                key,
            ),
            1,
        )


def settings_from(opts: Common = DEFAULTS) -> Settings:
    """Settings from the shared options: flags > environment > .env > defaults."""
    return load_settings(
        model=opts.model,
        base_url=opts.base_url,
        gguf=str(opts.gguf) if opts.gguf else None,
        use_cache=not opts.no_cache,
        deterministic=opts.deterministic,
    )


def client_for(settings: Settings) -> LLMClient:
    return LLMClient(settings)


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False)


def stdout_console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@contextmanager
def status(message: str, enabled: bool = True) -> Iterator[None]:
    """A spinner on stderr while the model works (nothing when stderr is not a terminal)."""
    if not enabled or not sys.stderr.isatty():
        yield
        return
    with stderr_console().status(message):
        yield


def remember(
    settings: Settings, task: Task, doc: Article, inputs: Vars, result: Any, view: View
) -> None:
    """List a finished answer in the history `newsdesk serve` shows (not with --no-cache)."""
    if not settings.use_cache:
        return
    history = History(default_cache_path(settings.cache_dir))
    try:
        record = task.record(result, view)
        history.add(task.name, settings.model_name, doc.text, doc.title, dict(inputs), record)
    finally:
        history.close()
