"""A client on the scripted server (`newsdesk.testing`), as the fault, client and batch tests
use it."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from newsdesk.config import Settings
from newsdesk.llm.client import LLMClient
from newsdesk.testing import ScriptedServer


def scripted_client(
    srv: ScriptedServer, cache_dir: Path, *, api_key: str = "sk-scripted", **overrides: Any
) -> tuple[LLMClient, list[float]]:
    """The client, and the backoff sleeps it asked for (recorded, not slept: tests stay fast).

    Defaults: 3 retries, 0.01 s backoff, 5 s timeout; `overrides` replaces any Settings field."""
    sleeps: list[float] = []
    settings = scripted_settings(srv, cache_dir, api_key=api_key, **overrides)
    return LLMClient(settings, sleep=sleeps.append), sleeps


def scripted_settings(srv: ScriptedServer, cache_dir: Path, **overrides: Any) -> Settings:
    """Settings for the scripted server: 3 retries, 0.01 s backoff, 5 s timeout, unless
    `overrides` (any Settings field) says otherwise."""
    settings = Settings(
        base_url=srv.url,
        api_key="sk-scripted",
        model="scripted",
        cache_dir=cache_dir,
        max_retries=3,
        backoff=0.01,
        timeout=5.0,
    )
    return dataclasses.replace(settings, **overrides)
