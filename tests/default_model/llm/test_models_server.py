"""The default model's server uses the file's ChatML template and answers a schema (split from
tests/nomodel/llm/test_models.py)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from newsdesk.config import (
    DEFAULT_EMBEDDED_MODEL,
)
from newsdesk.modelfiles import QWEN
from newsdesk.prompts import Prompt
from newsdesk.tasks.profile import small_model
from tests.small_model.llm.test_models_server import MESSAGES, applied_template, server_props


@pytest.mark.llm
def test_the_default_server_uses_the_files_chatml_and_answers_a_schema(instruct_llm):
    from pydantic import BaseModel

    assert instruct_llm.model == DEFAULT_EMBEDDED_MODEL and not small_model(instruct_llm.settings)
    url = instruct_llm.base_url()
    props = server_props(url)
    assert Path(props["model_path"]).name == QWEN.filename
    prompt = applied_template(url, MESSAGES)
    assert "<|im_start|>system\nReply in JSON.<|im_end|>" in prompt
    assert prompt.rstrip().endswith("<|im_start|>assistant")

    class Sum(BaseModel):
        result: int

    schema = {
        "type": "object",
        "properties": {"result": {"type": "integer"}},
        "required": ["result"],
        "additionalProperties": False,
    }
    messages = [
        {"role": "system", "content": "You are a calculator. Answer in JSON."},
        {"role": "user", "content": "What is 17 + 25?"},
    ]
    answer = instruct_llm.structured(Prompt("result", messages, Sum, schema, max_tokens=20))
    assert answer.result == 42  # the 270M base model answers 173000 here
    with contextlib.suppress(Exception):
        instruct_llm.cache.close()
