"""The public API: every name in `newsdesk.__all__` exists, is newsdesk's own, and the list is
the one documented (a change to it is a deliberate API change). Modelled on httpx's test."""

from __future__ import annotations

import subprocess
import sys

import newsdesk

PUBLIC = {
    "Article", "Sentence", "load_article", "parse_article", "Settings", "load_settings",
    "LLMClient", "Usage", "Citation", "ask", "AskResult", "summarize", "SummaryResult",
    "SummaryLine", "analyse_stance", "StanceResult", "Party", "brief", "Briefing",
    "ArticleBrief", "Statement", "NewsdeskError", "InputError", "ConfigError", "LLMError",
    "ModelOutputError", "__version__", "check", "CheckResult", "CheckedSentence", "Source",
    "sources",
}  # fmt: skip


def test_all_is_the_documented_api():
    assert set(newsdesk.__all__) == PUBLIC
    assert len(newsdesk.__all__) == len(PUBLIC)  # no name listed twice
    assert {*newsdesk._exports(), "__version__"} == PUBLIC  # each lazily imported from its module


def test_every_exported_member_is_newsdesks_own():
    assert newsdesk.__all__
    for name in newsdesk.__all__:
        if name == "__version__":
            continue
        member = getattr(newsdesk, name)
        assert member.__module__.startswith("newsdesk."), name
        assert member.__name__ == name, name


def test_unknown_names_raise_attribute_error():
    try:
        newsdesk.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_import_newsdesk_is_cheap():
    """`import newsdesk` loads no task, model client or pydantic: the CLI's --help depends on it."""
    heavy = "('pydantic', 'openai', 'jinja2', 'newsdesk.tasks')"
    code = f"import sys, newsdesk; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
