"""Tools and functions sent, and a tool-calling message made the output, as promptfoo 0.123.1's
openai chat provider does (side by side with promptfoo itself: tests/node/evals/
test_eval_promptfoo_docs.py, folder tools, where promptfoo's own checks grade the calls)."""

from __future__ import annotations

import json

import pytest

from newsdesk.evals.providers import openai_output, request_fields, wire_order
from newsdesk.evals.runner import run_suites
from newsdesk.evals.suite import SuiteError, load_suite
from newsdesk.testing import Reply, ScriptedServer, completion

CALL = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
TOOLS = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]


def test_the_output_of_a_message_that_calls():
    assert openai_output({"role": "assistant", "content": None, "tool_calls": [CALL]}) == [CALL]
    both = {"role": "assistant", "content": "Checking.", "tool_calls": [CALL]}
    assert openai_output(both) == both  # text and calls: the whole message
    assert openai_output({"content": "None needed.", "tool_calls": []}) == "None needed."
    assert openai_output({"content": "", "tool_calls": []}) == []  # "" && []: the calls
    called = {"name": "f", "arguments": "{}"}
    assert openai_output({"content": None, "function_call": called}) == called


def test_tools_are_sent_when_javascript_finds_them_true():
    cfg = {"tools": TOOLS, "tool_choice": "auto", "functions": [], "function_call": ""}
    fields = request_fields(cfg, {})
    assert fields["tools"] == TOOLS and fields["tool_choice"] == "auto"
    assert fields["functions"] == []  # an empty list is true in JavaScript
    assert "function_call" not in fields
    assert "tools" not in request_fields({"tools": []}, {})  # promptfoo sends no empty tools


def test_keys_in_openais_order():
    typed = {"tool_calls": [{"function": {"arguments": "{}", "name": "f"}, "type": "function",
             "id": "c1"}], "content": None, "role": "assistant", "refusal": None}  # fmt: skip
    ordered = wire_order(typed)
    assert list(ordered) == ["role", "content", "tool_calls", "refusal"]
    assert json.dumps(ordered["tool_calls"][0]) == json.dumps(CALL)


def _suite(tmp_path, tools: object, url: str = "http://127.0.0.1:1/v1"):  # type: ignore[no-untyped-def]
    path = tmp_path / "suite.yaml"
    config = {"apiBaseUrl": url, "apiKey": "k", "tools": tools}
    path.write_text(
        json.dumps(
            {
                "prompts": ["hi"],
                "providers": [{"id": "openai:chat:m", "config": config}],
                "tests": [{"assert": [{"type": "equals", "value": "x"}]}],
            }
        )
    )
    return path


@pytest.mark.parametrize(
    ("tools", "message"),
    [
        ("file://tools.json", "a list of definitions"),
        ([{"type": "function", "function": {"name": "{{ name }}"}}], "a template"),
        ([{"type": "function", "function": "file://f.json"}], "`file://` reference"),
    ],
)
def test_tools_are_written_inline(tmp_path, tools, message):
    with pytest.raises(SuiteError, match=message):
        load_suite(_suite(tmp_path, tools))


def test_a_run_sends_the_tools_and_grades_the_calls(tmp_path):
    body = completion("")
    body["choices"][0]["message"] = {"role": "assistant", "content": None, "tool_calls": [CALL]}
    with ScriptedServer(Reply(body=body)) as server:
        report = run_suites([load_suite(_suite(tmp_path, TOOLS, server.url))], use_cache=False)
        sent = server.requests[0]
    assert sent["tools"] == TOOLS
    assert report.results[0].raw_output == [CALL]
