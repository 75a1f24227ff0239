"""Shared fixtures. LLM tests use the embedded model over real HTTP, loaded once per session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "us-china-trade-talks.txt"
DATA = Path(__file__).resolve().parent / "data"

_CLEARED = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "NEWSDESK_MODEL",
    "NEWSDESK_GGUF",
    "NEWSDESK_NO_CACHE",
    "NEWSDESK_DETERMINISTIC",
    "NEWSDESK_PROMPT_BUDGET",
)


@pytest.fixture(scope="session", autouse=True)
def _isolated_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests never read a developer's key, .env or response cache."""
    saved = {k: os.environ.pop(k) for k in _CLEARED if k in os.environ}
    os.environ["NEWSDESK_ENV_FILE"] = ""
    os.environ["NEWSDESK_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    os.environ.update(saved)


@pytest.fixture(scope="session")
def example_path() -> Path:
    return EXAMPLE


@pytest.fixture(scope="session")
def example_article():  # type: ignore[no-untyped-def]
    from newsdesk.article import load_article

    return load_article(EXAMPLE)


@pytest.fixture(scope="session")
def llm(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One client on the embedded model (server started once per test session)."""
    from newsdesk.config import load_settings
    from newsdesk.llm.client import LLMClient

    settings = load_settings().with_overrides(cache_dir=tmp_path_factory.mktemp("llm-cache"))
    return LLMClient(settings)
