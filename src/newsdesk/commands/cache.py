"""`newsdesk cache stats|clear`."""

from __future__ import annotations

from typing import Annotated

import typer

from newsdesk.commands.options import JsonOpt
from newsdesk.commands.runtime import guarded

cache_app = typer.Typer(
    help="Inspect or clear the response cache.", no_args_is_help=True, rich_markup_mode=None
)


def _cache():  # type: ignore[no-untyped-def]
    from newsdesk.commands.runtime import settings_from
    from newsdesk.llm.cache import ResponseCache, default_cache_path

    return ResponseCache(default_cache_path(settings_from().cache_dir))


@cache_app.command()
def stats(json_out: JsonOpt = False) -> None:
    """Where the cache is, how many entries, how big."""

    def run() -> None:
        from newsdesk.commands.runtime import print_json

        info = _cache().stats()
        if json_out:
            print_json(info)
        else:
            typer.echo(f"{info['path']}: {info['entries']} entries, {info['bytes'] / 1e6:.1f} MB")

    guarded(run)


@cache_app.command()
def clear(yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False) -> None:
    """Delete every cached response."""

    def run() -> None:
        cache = _cache()
        if not yes:
            typer.confirm(f"Delete all cached responses in {cache.path}?", abort=True)
        typer.echo(f"removed {cache.clear()} entries")

    guarded(run)
