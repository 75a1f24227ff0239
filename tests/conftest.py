"""Shared fixtures. LLM tests use the embedded model over real HTTP, loaded once per session.

A test's folder says what it needs (tests/nomodel, small_model, default_model, node, chromium):
tests/helpers/needs.py, loaded here, fails a test that uses more than its folder allows."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.paths import EXAMPLE

pytest_plugins = ["tests.helpers.needs", "pytester"]

# The side-by-side proofs compare newsdesk's engines with promptfoo's, so both run on one node:
# the one installed with promptfoo (.ci/run's /opt/pf), as CI sets it. Another node on PATH
# words some errors differently (node 20's JSON.parse gives no "(line 1 column 14)").
_PROMPTFOO_NODE = Path("/opt/pf/node_modules/.bin/node")
if not os.environ.get("NEWSDESK_NODE") and _PROMPTFOO_NODE.is_file():
    os.environ["NEWSDESK_NODE"] = str(_PROMPTFOO_NODE)

_CLEARED = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "NEWSDESK_MODEL",
    "NEWSDESK_GGUF",
    "NEWSDESK_NO_CACHE",
    "NEWSDESK_DETERMINISTIC",
    "NEWSDESK_PROMPT_BUDGET",
    "NEWSDESK_SPECULATIVE",
)


@pytest.fixture(scope="session", autouse=True)
def _isolated_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests never read a developer's key, .env or response cache.

    They run on the fast 270M model unless a test asks for another (`instruct_llm`). The
    assembled model files are shared with the developer's own (each verified by sha256 when
    assembled), so a session does not assemble 1.4 GB again.
    """
    from newsdesk.modelfiles import SMALL_MODEL, default_model_dir

    names = (*_CLEARED, "NEWSDESK_MODEL_DIR", "NEWSDESK_CACHE_DIR", "NEWSDESK_ENV_FILE")
    saved = {k: os.environ.get(k) for k in names}
    cache_env = saved["NEWSDESK_CACHE_DIR"]
    model_dir = saved["NEWSDESK_MODEL_DIR"] or str(
        default_model_dir(Path(cache_env).expanduser() if cache_env else None)
    )
    for k in _CLEARED:
        os.environ.pop(k, None)
    os.environ["NEWSDESK_ENV_FILE"] = ""
    os.environ["NEWSDESK_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    os.environ["NEWSDESK_MODEL_DIR"] = model_dir
    os.environ["NEWSDESK_MODEL"] = SMALL_MODEL
    yield
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


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


@pytest.fixture(scope="session")
def instruct_llm(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A client on the default instruction-tuned model (qwen2.5-coder-1.5b), for quality tests.

    Its own response cache; the server starts on first use (a few seconds) and is shared."""
    from newsdesk.config import DEFAULT_EMBEDDED_MODEL, load_settings
    from newsdesk.llm.client import LLMClient

    settings = load_settings(model=DEFAULT_EMBEDDED_MODEL).with_overrides(
        cache_dir=tmp_path_factory.mktemp("instruct-cache")
    )
    return LLMClient(settings)


@pytest.fixture(scope="session")
def small_settings():  # type: ignore[no-untyped-def]
    """Settings of the serve tests' desk: the 270M model, a session-private cache."""
    from newsdesk.config import load_settings

    return load_settings()


@pytest.fixture(scope="session")
def desk_url(small_settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A real uvicorn on 127.0.0.1 serving the desk on the small model (one per session)."""
    from newsdesk.serve.options import ServeOptions
    from newsdesk.serve.server import serve_in_thread

    with serve_in_thread(small_settings, ServeOptions(port=0)) as url:
        yield url


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """In CI (NEWSDESK_NO_SKIPS=1, set by .ci/run, which installs Chromium, node and promptfoo),
    a skipped test is a failed one: a guard written for a developer's machine must never hide
    a regression there. Only a test marked `may_skip` (what a container may forbid) can skip."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if (
        report.skipped
        and not hasattr(report, "wasxfail")
        and os.environ.get("NEWSDESK_NO_SKIPS") == "1"
        and item.get_closest_marker("may_skip") is None
    ):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped where nothing may skip (NEWSDESK_NO_SKIPS=1): {reason}"
