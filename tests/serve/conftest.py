"""Servers for the serve tests: a real uvicorn on 127.0.0.1, on the small embedded model (one
per session) or on the scripted endpoint (faults, security)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from newsdesk.config import Settings, load_settings
from newsdesk.serve.options import ServeOptions
from newsdesk.serve.server import serve_in_thread


@pytest.fixture(scope="session")
def small_settings() -> Settings:
    return load_settings()  # conftest: the 270M model, a session-private cache


@pytest.fixture(scope="session")
def desk_url(small_settings: Settings) -> Iterator[str]:
    with serve_in_thread(small_settings, ServeOptions(port=0)) as url:
        yield url
