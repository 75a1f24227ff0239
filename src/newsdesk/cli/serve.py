"""`newsdesk serve`: the desk in a browser, and its tasks as a JSON API, on one warm model."""

from __future__ import annotations

from typing import Annotated

import typer

from newsdesk.cli.options import Common, common_options
from newsdesk.cli.runtime import guarded, settings_from
from newsdesk.serve.options import ServeOptions
from newsdesk.serve.server import serve as run_server

HostOpt = Annotated[
    str,
    typer.Option("--host", help="Address to listen on. Anything but loopback needs --token."),
]
PortOpt = Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on.")]
TokenOpt = Annotated[
    str | None,
    typer.Option(
        "--token",
        envvar="NEWSDESK_TOKEN",
        show_envvar=False,
        help="Every API call must carry it (Authorization: Bearer TOKEN); required with a "
        "non-loopback --host [env: NEWSDESK_TOKEN].",
    ),
]
ConcurrencyOpt = Annotated[
    int,
    typer.Option(
        "--max-concurrency",
        min=1,
        max=64,
        help="Requests answered at once by a remote endpoint (the embedded model: one at a "
        "time, in arrival order).",
    ),
]
MaxBodyOpt = Annotated[
    int, typer.Option("--max-body", min=1024, help="Largest request body, in bytes (else 413).")
]


@common_options("model", "base_url", "gguf", "no_cache", "deterministic")
def serve(
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8765,
    token: TokenOpt = None,
    max_concurrency: ConcurrencyOpt = 4,
    max_body: MaxBodyOpt = 2_500_000,
    *,
    opts: Common,
) -> None:
    """Serve the desk: open the printed URL, paste or open an article, then ask, summarize,
    stance, brief and check a draft, every citation a link to its sentence.

    The same tasks are a JSON API (POST /api/ask, /api/summarize, /api/stance, /api/brief,
    /api/check; each returns what the command prints with --json; OpenAPI at /openapi.json).
    The model loads once and stays loaded; answers are listed with the terminal's.
    """

    def run() -> None:

        options = ServeOptions(
            host=host, port=port, token=token, max_concurrency=max_concurrency, max_body=max_body
        )
        run_server(settings_from(opts), options)

    guarded(run)
