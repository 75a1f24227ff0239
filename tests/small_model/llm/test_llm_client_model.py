"""The client on the embedded 270M model over HTTP (split from
tests/nomodel/llm/test_llm_client.py, which runs it on the scripted server)."""

from __future__ import annotations

import pytest

from newsdesk.prompts import Prompt
from newsdesk.testing import VERDICT_SCHEMA, Verdict


@pytest.mark.llm
def test_embedded_structured_output_is_schema_valid_and_cached(llm):
    primed = 'Is water wet? JSON: {"ok": true}\nIs the sun a planet? JSON: {"ok": false}\n'
    messages = [{"role": "user", "content": primed + "Is Paris in France? JSON: "}]
    first = llm.structured(Prompt("result", messages, Verdict, VERDICT_SCHEMA, max_tokens=64))
    assert isinstance(first.ok, bool)
    calls = len(llm.usage.records)
    assert not llm.usage.records[-1].cached
    assert llm.usage.records[-1].prompt_tokens > 0
    second = llm.structured(Prompt("result", messages, Verdict, VERDICT_SCHEMA, max_tokens=64))
    assert second == first
    assert len(llm.usage.records) == calls + 1
    assert llm.usage.records[-1].cached
    assert llm.base_url().startswith("http://127.0.0.1:")


@pytest.mark.llm
def test_embedded_plain_chat_returns_text_and_usage(llm):
    out = llm.chat(
        [{"role": "user", "content": "The capital of France is"}], max_tokens=8, use_cache=False
    )
    assert out.usage.completion_tokens > 0
    assert out.usage.seconds > 0
    assert out.finish_reason in {"stop", "length"}
