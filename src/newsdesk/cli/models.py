"""`newsdesk models`: the embedded models, where they come from, and whether they are assembled."""

from __future__ import annotations

from typing import Any

import typer

from newsdesk.cli.options import Common, common_options
from newsdesk.cli.runtime import guarded, print_json, settings_from
from newsdesk.errors import ConfigError
from newsdesk.modelfiles import DEFAULT_MODEL, listing
from newsdesk.render.table import render_table


def model_rows() -> dict[str, Any]:
    """The listing for the configured model (none when an endpoint or --gguf is configured)."""

    try:
        settings = settings_from()
        spec = settings.embedded_spec
        selected = spec.name if spec is not None else None
    except ConfigError:  # an unknown NEWSDESK_MODEL: this listing is where to look it up
        settings, selected = settings_from(Common(model=DEFAULT_MODEL)), None
    return listing(selected, settings.embedded_model_dir)


@common_options("json")
def models(*, opts: Common) -> None:
    """List the embedded models: size, licence, source packages, assembled yet, speed here.

    Choose one with --model / NEWSDESK_MODEL when no endpoint is configured."""

    def run() -> None:

        data = model_rows()
        if opts.json:
            print_json(data)
            return

        typer.echo(render_table(data))

    guarded(run)
