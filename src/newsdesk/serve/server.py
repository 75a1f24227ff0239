"""Run the app on uvicorn until Ctrl-C; uvicorn's own handler shuts it down cleanly (the
lifespan closes the cache, atexit stops the embedded model)."""

from __future__ import annotations

import sys

import uvicorn

from newsdesk.config import Settings
from newsdesk.serve.app import create_app
from newsdesk.serve.desk import Desk
from newsdesk.serve.options import ServeOptions


def url_of(options: ServeOptions) -> str:
    host = options.host
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{options.port}/"


def serve(settings: Settings, options: ServeOptions) -> None:
    desk = Desk(settings, options)
    app = create_app(desk)
    print(
        f"newsdesk serve: {settings.model_name} at {url_of(options)} (Ctrl-C stops it)",
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(
        app,
        host=options.host,
        port=options.port,
        log_level="warning",
        proxy_headers=False,  # no proxy is trusted: the Host and client are what arrived
        server_header=False,
        timeout_graceful_shutdown=5,
    )
