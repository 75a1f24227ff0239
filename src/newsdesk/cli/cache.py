"""`newsdesk cache stats|clear`."""

from __future__ import annotations

from typing import Annotated

import typer

from newsdesk.cli.options import Common, common_options
from newsdesk.cli.runtime import guarded, print_json, settings_from
from newsdesk.history import History
from newsdesk.llm.cache import ResponseCache, default_cache_path
from newsdesk.llm.kvstate import StateStore, default_state_dir

cache_app = typer.Typer(
    help="Inspect or clear the response cache and the embedded model's saved KV states.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _cache() -> ResponseCache:

    return ResponseCache(default_cache_path(settings_from().cache_dir))


def _states() -> StateStore:

    settings = settings_from()
    limit = int(settings.kv_cache_mb * 1_000_000)
    return StateStore(default_state_dir(settings.cache_dir), limit)


@cache_app.command()
@common_options("json")
def stats(*, opts: Common) -> None:
    """Where the caches are, how many entries and saved KV states, how big."""

    def run() -> None:

        info = _cache().stats()
        kv = _states().stats()
        if opts.json:
            print_json({**info, "kv_states": kv})
        else:
            typer.echo(f"{info['path']}: {info['entries']} entries, {info['bytes'] / 1e6:.1f} MB")
            typer.echo(
                f"{kv['path']}: {kv['states']} saved KV states, {kv['bytes'] / 1e6:.1f} MB "
                f"(bound {kv['limit_bytes'] / 1e6:.0f} MB, NEWSDESK_KV_CACHE_MB)"
            )

    guarded(run)


@cache_app.command()
def clear(yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False) -> None:
    """Delete every cached response, saved KV state and past answer."""

    def run() -> None:
        cache, states = _cache(), _states()
        if not yes:
            typer.confirm(
                f"Delete all cached responses in {cache.path} and saved KV states in "
                f"{states.folder}?",
                abort=True,
            )

        history = History(cache.path)  # the past answers serve lists live in the same file
        try:
            answers = history.clear()
        finally:
            history.close()
        typer.echo(
            f"removed {cache.clear()} entries and {states.clear()} saved KV states "
            f"({answers} past answers)"
        )

    guarded(run)
