"""n-gram speculation on the real 270M server (split from tests/nomodel/llm/test_speculative.py)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any


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
