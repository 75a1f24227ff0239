"""moderation's request, flags, verdict and failure wording (side by side with promptfoo itself:
tests/node/evals/test_eval_promptfoo_docs.py, folder moderation)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from newsdesk.config import Settings
from newsdesk.errors import ConfigError
from newsdesk.evals.assertions.core import CaseError, EvalContext
from newsdesk.evals.assertions.moderation import (
    check_moderation,
    flags,
    moderation_input,
    reply_failure,
    value_problem,
    verdict,
)
from newsdesk.evals.providers import grader_for
from newsdesk.evals.spec import AssertionSpec
from newsdesk.evals.suite import SuiteError, load_suite, model_from_id


def result(flagged: bool, **categories: bool) -> dict[str, Any]:
    return {"flagged": flagged, "categories": categories, "category_scores": {}}


def test_flags_are_the_categories_of_flagged_results_once_each() -> None:
    data = {
        "results": [
            result(True, hate=False, violence=True, harassment=True),
            result(False, sexual=True),  # not flagged: its categories do not count
            result(True, harassment=True, self_harm=True),
        ]
    }
    assert flags(data) == ["violence", "harassment", "self_harm"]
    assert flags({"results": []}) == [] and flags({}) == []


def test_the_verdict_and_its_category_filter() -> None:
    assert verdict([], [], False).reason == "No moderation flags detected"
    hit = verdict(["harassment", "violence"], [], False)
    assert (hit.passed, hit.score, hit.reason) == (
        False,
        0.0,
        "Moderation flags detected: harassment, violence",
    )
    kept = verdict(["harassment", "violence"], ["violence"], False)
    assert kept.reason == "Moderation flags detected: violence"
    miss = verdict(["violence"], ["hate"], False)
    assert miss.passed and miss.reason == "No relevant moderation flags detected"
    inverted = verdict(["violence"], [], True)
    assert inverted.passed and inverted.score == 1.0


def test_omni_models_take_their_input_as_parts() -> None:
    assert moderation_input("hi", "omni-moderation-latest") == [{"type": "text", "text": "hi"}]
    assert moderation_input("hi", "text-moderation-latest") == "hi"


@pytest.mark.parametrize("value", [None, "", ["violence"], ["a", 1]])
def test_values_promptfoo_accepts(value: Any) -> None:
    assert value_problem(value) is None


@pytest.mark.parametrize("value", ["violence", [], [1], {"a": 1}])
def test_values_promptfoos_invariant_refuses(value: Any) -> None:
    assert value_problem(value) == (
        "Error: Invariant failed: moderation assertion value must be a string array if set"
    )


def test_an_error_status_quotes_its_body_as_json() -> None:
    body = json.dumps({"error": {"message": "bad", "code": None}}, indent=1)
    assert reply_failure("http://h/v1/moderations", 400, "Bad Request", body) == (
        'API error: 400 Bad Request: {"error":{"message":"bad","code":null}}'
    )
    assert reply_failure("http://h/v1/moderations", 200, "OK", '{"results": []}') is None


def test_a_body_that_is_not_json_is_a_parse_error_whatever_the_status() -> None:
    found = reply_failure("http://h/v1/moderations", 200, "OK", "<html>")
    assert found is not None
    assert found.startswith("API call error: Error: Error parsing response from http://h/v1/")
    assert found.endswith(". HTTP 200 OK. Received text: <html>")


def test_moderation_models_from_provider_ids() -> None:
    assert model_from_id("openai:moderation:text-moderation-latest") == "text-moderation-latest"
    assert model_from_id("openai:moderation") == "omni-moderation-latest"
    ref = {"text": "openai:chat:a", "moderation": "openai:moderation:m"}
    assert grader_for(ref, "moderation", []).model == "m"


KEY = "sk-moderation-secret-123456"


class FakeModerator:
    def __init__(self, ident: str, reply: tuple[int, str, str]) -> None:
        self.ident, self.reply = ident, reply
        self.sent: list[Any] = []
        self.settings = Settings(api_key=KEY)

    def base_url(self) -> str:
        return "http://h/v1/"

    def moderate(self, model: str, given: Any) -> tuple[int, str, str]:
        self.sent.append((model, given))
        return self.reply

    def __call__(self, ref: Any) -> tuple[Any, str, str]:
        if ref == "map":
            raise ConfigError("Invalid provider definition for output type 'moderation': {}")
        return self, "omni-moderation-latest", self.ident


def grade(output: str, ident: str, reply: tuple[int, str, str], **spec: Any) -> Any:
    moderator = FakeModerator(ident, reply)
    ctx = EvalContext(vars={}, moderator=moderator)
    value = spec.get("value")
    return check_moderation(output, value, AssertionSpec(type="moderation", **spec), ctx, False)


FLAGGED = (200, "OK", json.dumps({"results": [result(True, violence=True)]}))


def test_the_check_sends_the_output_and_reads_the_flags() -> None:
    assert grade("story", "openai:moderation:x", FLAGGED).reason == (
        "Moderation flags detected: violence"
    )
    failed = grade("story", "openai:moderation:x", (400, "Bad Request", '"no"'))
    assert failed.reason == "Moderation API error: API error: 400 Bad Request: no"  # a JSON text


def test_an_endpoint_that_echoes_the_key_does_not_put_it_in_the_report() -> None:
    echoed = (401, "Unauthorized", json.dumps({"error": f"bad key {KEY}"}))
    reason = grade("story", "openai:moderation:x", echoed).reason
    assert reason.startswith("Moderation API error: API error: 401 Unauthorized")
    assert KEY not in reason and KEY[-6:] not in reason


def test_no_output_passes_without_asking() -> None:
    assert grade("", "openai:chat:not-moderation", FLAGGED).reason == "No output to moderate"


def test_what_errors_the_case_as_in_promptfoo() -> None:
    with pytest.raises(CaseError, match="is not a valid moderation provider"):
        grade("story", "openai:chat:writer", FLAGGED)
    with pytest.raises(CaseError, match="Invariant failed"):
        grade("story", "openai:moderation:x", FLAGGED, value="violence")
    with pytest.raises(CaseError, match=r"^Error: Invalid provider definition"):
        grade("story", "openai:moderation:x", FLAGGED, provider="map")


def test_a_moderation_provider_answers_no_prompt(tmp_path: Any) -> None:
    suite = tmp_path / "s.yaml"
    suite.write_text("prompts: ['hi']\nproviders:\n  - openai:moderation\ntests: [{}]\n")
    with pytest.raises(SuiteError, match=r"s\.yaml:3: provider 'openai:moderation': a moder"):
        load_suite(suite)
