"""Servers for the serve tests: a real uvicorn on 127.0.0.1, on the small embedded model (one
per session) or on the scripted endpoint (faults, security)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsdesk.config import Settings, load_settings
from newsdesk.serve.options import ServeOptions
from newsdesk.serve.server import serve_in_thread
from newsdesk.testing import ScriptedServer


@pytest.fixture(scope="session")
def small_settings() -> Settings:
    return load_settings()  # conftest: the 270M model, a session-private cache


@pytest.fixture(scope="session")
def desk_url(small_settings: Settings) -> Iterator[str]:
    with serve_in_thread(small_settings, ServeOptions(port=0)) as url:
        yield url


def scripted_settings(srv: ScriptedServer, cache_dir: Path, **overrides: object) -> Settings:
    settings = Settings(
        base_url=srv.url,
        api_key="sk-scripted-secret-0123456789",
        model="scripted",
        cache_dir=cache_dir,
        max_retries=0,
        backoff=0.01,
        timeout=10.0,
    )
    return dataclasses.replace(settings, **overrides)
