"""n-gram speculative decoding on the embedded server (NEWSDESK_SPECULATIVE): off unless asked,
and when on, the server drafts from the prompt and still answers as the plain server does."""

from __future__ import annotations

import json
import urllib.request
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


def _complete(root: str, body: dict[str, Any]) -> dict[str, Any]:
    req = urllib.request.Request(
        root.rstrip("/") + "/v1/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=300) as resp:
        data: dict[str, Any] = json.load(resp)
    return data


def test_speculation_drafts_from_the_prompt_and_answers_the_same() -> None:
    """The 270M model, a prompt whose continuation repeats it: with speculation the server
    drafts (and accepts some) tokens, and at temperature 0 writes what the plain server writes."""
    from newsdesk.config import SMALL_EMBEDDED_MODEL
    from newsdesk.llm import embedded

    path, template = embedded.model_file(SMALL_EMBEDDED_MODEL)
    line = "The ministers met in Geneva on Tuesday and agreed to cut tariffs on steel by half."
    body = {
        "messages": [{"role": "user", "content": f"{line}\n{line}\n{line}\n"}],
        "max_tokens": 40,
        "temperature": 0.0,
        "seed": 7,
    }
    got: dict[bool, tuple[str, dict[str, Any]]] = {}
    for speculative in (False, True):
        server = embedded._start(path, template, 2048, None, speculative)
        try:
            data = _complete(server.listening_address, body)
        finally:
            del server  # one model server at a time
        got[speculative] = (data["choices"][0]["message"]["content"], data["timings"])
    (plain, plain_t), (spec, spec_t) = got[False], got[True]
    assert not plain_t.get("draft_n")
    assert spec_t["draft_n"] > 0 and spec_t["draft_n_accepted"] > 0
    assert spec == plain and spec.strip()
