"""The 270M model's server keeps its plain template (split from
tests/nomodel/llm/test_models.py)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from newsdesk.modelfiles import GEMMA
from newsdesk.tasks.profile import small_model

MESSAGES = [
    {"role": "system", "content": "Reply in JSON."},
    {"role": "user", "content": "What is 2 + 3?"},
]


def applied_template(url: str, messages: list[dict[str, str]]) -> str:
    req = urllib.request.Request(
        url.removesuffix("/v1") + "/apply-template",
        data=json.dumps({"messages": messages}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return str(json.load(resp)["prompt"])


def server_props(url: str) -> dict:  # type: ignore[type-arg]
    with urllib.request.urlopen(url.removesuffix("/v1") + "/props", timeout=30) as resp:
        data: dict = json.load(resp)  # type: ignore[type-arg]
    return data


@pytest.mark.llm
def test_the_270m_server_keeps_the_plain_template(llm):
    from newsdesk.llm.embedded import PLAIN_CHAT_TEMPLATE

    assert small_model(llm.settings)
    url = llm.base_url()
    props = server_props(url)
    assert props["chat_template"] == PLAIN_CHAT_TEMPLATE
    assert Path(props["model_path"]).name == GEMMA.filename
    assert applied_template(url, MESSAGES) == "Reply in JSON.What is 2 + 3?"
