"""ask on the embedded 270M model: citations exist and are verbatim, unanswerable questions are
declined (split from tests/nomodel/llm/test_ask_llm.py)."""

from __future__ import annotations

import pytest

from newsdesk.tasks.ask import (
    NOT_SAID,
    ask,
    build_prompt,
)
from newsdesk.tasks.profile import small_model
from tests.nomodel.llm.test_ask_llm import assert_verbatim


@pytest.fixture(scope="session")
def ask_llm(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from newsdesk.config import load_settings
    from newsdesk.llm.client import LLMClient

    cache = tmp_path_factory.mktemp("ask-cache")
    return LLMClient(load_settings(use_cache=False).with_overrides(cache_dir=cache))


@pytest.mark.llm
@pytest.mark.parametrize(
    "question",
    ["What did Xi agree to?", "Who is Derek Scissors?", "When did trade talks break down?"],
)
def test_embedded_citations_exist_and_are_verbatim(ask_llm, example_article, question):
    settings = ask_llm.settings
    prompt = build_prompt(
        example_article,
        question,
        settings.article_budget,
        ask_llm.model,
        small=small_model(settings),
    )
    result = ask(example_article, question, ask_llm)
    assert result.question == question and result.answer.strip()
    assert_verbatim(result, example_article, prompt.shown)
    assert len(result.citations) <= 3
    # supported: a non-answer, or valid citations that hold the answer's key words
    if result.answerable:
        assert result.supported == (bool(result.citations) and result.grounding != "unsupported")
    d = result.to_dict()
    # model_answer: only when the article's own words replaced the model's
    assert set(d) - {"model_answer"} == {
        "question",
        "answer",
        "answerable",
        "supported",
        "grounding",
        "unsupported_terms",
        "citations",
        "dropped_citations",
        "reason",
        "checks",
        "attributed_to",
    }
    assert "lexical" in d["checks"] or not d["answerable"]
    assert all(set(c) == {"id", "text", "start", "end", "source"} for c in d["citations"])


@pytest.mark.llm
@pytest.mark.parametrize(
    "question", ["What is the capital of Peru?", "Who won the 1998 World Cup?"]
)
def test_embedded_unanswerable_question_is_not_answered_as_fact(ask_llm, example_article, question):
    result = ask(example_article, question, ask_llm)
    # the product rule: either "the article does not say", or an answer flagged unsupported
    assert not result.answerable or not result.supported
    if not result.answerable:
        assert result.answer == NOT_SAID and result.citations == []
