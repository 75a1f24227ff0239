"""The id promptfoo's reasons name a grader by (G-Eval's "call to ID returned no output"), as its
provider's id() gives it (side by side: tests/node/evals/test_eval_promptfoo_docs.py, geval)."""

from __future__ import annotations

from newsdesk.evals.providers import promptfoo_id
from newsdesk.evals.suite import ProviderSpec

SUITE = [ProviderSpec("openai:chat:echo-model", "echo", "echo-model")]


def test_an_object_reports_its_id_as_written() -> None:
    ref = {"id": "openai:chat:grader", "label": "a label", "config": {"apiBaseUrl": "http://h"}}
    assert promptfoo_id(ref, "text", []) == "openai:chat:grader"


def test_a_bare_openai_id_reports_openai_and_its_model() -> None:
    assert promptfoo_id("openai:chat:gpt-4o-mini", "text", []) == "openai:gpt-4o-mini"
    assert promptfoo_id("openai:gpt-4o-mini", "text", []) == "openai:gpt-4o-mini"


def test_a_suite_provider_and_a_map_entry() -> None:
    assert promptfoo_id("echo", "text", SUITE) == "openai:chat:echo-model"
    ref = {"text": {"id": "openai:chat:writer"}, "embedding": "openai:embedding:e"}
    assert promptfoo_id(ref, "text", SUITE) == "openai:chat:writer"
    assert promptfoo_id(ref, "embedding", SUITE) == "openai:e"
