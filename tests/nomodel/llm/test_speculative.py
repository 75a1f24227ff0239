"""n-gram speculative decoding on the embedded server (NEWSDESK_SPECULATIVE): off unless asked,
and when on, the server drafts from the prompt and still answers as the plain server does."""

from __future__ import annotations

from typing import Any

import pytest

from newsdesk.config import load_settings
from newsdesk.errors import ConfigError


def test_off_by_default_and_parsed_as_on_or_off(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().speculative is False
    for raw, value in (("1", True), ("on", True), ("TRUE", True), ("0", False), ("off", False)):
        monkeypatch.setenv("NEWSDESK_SPECULATIVE", raw)
        assert load_settings().speculative is value
    monkeypatch.setenv("NEWSDESK_SPECULATIVE", "sometimes")
    with pytest.raises(ConfigError, match="NEWSDESK_SPECULATIVE"):
        load_settings()


def test_the_client_starts_the_server_with_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from newsdesk.llm import embedded
    from newsdesk.llm.client import LLMClient

    seen: list[bool] = []

    def fake_url(*args: Any, speculative: bool = False, **kwargs: Any) -> str:
        seen.append(speculative)
        return "http://127.0.0.1:9/v1"

    monkeypatch.setattr(embedded, "server_url", fake_url)
    monkeypatch.setattr(embedded, "slot_states", lambda name: None)
    for flag in (True, False):
        LLMClient(load_settings(use_cache=False).with_overrides(speculative=flag)).base_url()
    assert seen == [True, False]
