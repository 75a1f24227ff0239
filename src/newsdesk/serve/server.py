"""Run the app on uvicorn until Ctrl-C; uvicorn's own handler shuts it down cleanly (the
lifespan closes the cache, atexit stops the embedded model)."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

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


@contextmanager
def serve_in_thread(settings: Settings, options: ServeOptions) -> Iterator[str]:
    """The app on a real uvicorn in a background thread (tests and benches): yields its URL
    once it accepts connections (`options.port` 0: a free port), stops it on exit."""
    desk = Desk(settings, options)
    config = uvicorn.Config(
        create_app(desk),
        host=options.host,
        port=options.port,
        log_level="warning",
        proxy_headers=False,
        server_header=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="newsdesk-serve", daemon=True)
    thread.start()
    deadline = time.monotonic() + 300  # the lifespan loads the model first
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield url_of(replace(options, port=port))
    finally:
        server.should_exit = True
        thread.join(timeout=30)
