"""answer-relevance's arithmetic and wording, and the {text, embedding} grader map (side by side
with promptfoo itself: tests/node/evals/test_eval_promptfoo_docs.py, folder answer_relevance)."""

from __future__ import annotations

import pytest

from newsdesk.errors import ConfigError
from newsdesk.evals.assertions.relevance import cosine, verdict
from newsdesk.evals.providers import grader_for


def test_cosine_is_promptfoos():
    assert cosine([1.0, 0.0], [1.0, 0.0]) == pytest.approx(1.0)
    assert cosine([1.0, 0.0], [0.0, 1.0]) == 0.0
    assert cosine([0.0, 0.0], [1.0, 1.0]) == 0  # a zero vector: 0, not a division by zero
    with pytest.raises(ValueError, match="equal length"):
        cosine([1.0], [1.0, 2.0])


def test_the_mean_against_the_threshold():
    g = verdict([0.9, 0.8, 0.7], 0.8, inverse=False)
    assert g.passed and g.score == pytest.approx(0.8)  # 0.8 >= 0.8 - epsilon
    assert g.reason == "Relevance 0.80 is greater than threshold 0.8"
    low = verdict([0.625], 0.7, inverse=False)
    assert not low.passed and low.reason == "Relevance 0.63 is less than threshold 0.7"
    inverted = verdict([0.625], 0.7, inverse=True)
    assert inverted.passed and inverted.score == pytest.approx(0.375)


def test_a_grader_map_names_one_provider_per_kind():
    ref = {"text": "openai:chat:writer", "embedding": "openai:embedding:vectors"}
    assert grader_for(ref, "text", []).id == "openai:chat:writer"
    assert grader_for(ref, "embedding", []).id == "openai:embedding:vectors"
    assert grader_for("openai:chat:one", "embedding", []).id == "openai:chat:one"
    with pytest.raises(
        ConfigError, match="Invalid provider definition for output type 'embedding'"
    ):
        grader_for({"text": "openai:chat:writer"}, "embedding", [])
