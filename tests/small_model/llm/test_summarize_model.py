"""summarize with the embedded 270M model's picks (split from
tests/nomodel/llm/test_summarize.py)."""

from __future__ import annotations

import pytest

from newsdesk.article import load_article
from newsdesk.llm.client import LLMClient
from newsdesk.tasks.summarize import (
    build_prompt,
    summarize,
)
from tests.helpers.paths import DATA
from tests.nomodel.llm.test_summarize import check_citations

SECOND = DATA / "newsqa-pandher.txt"  # a CNN story (see tests/data/SOURCES.md)


@pytest.mark.llm
def test_real_model_picks_on_a_second_article_cite_only_real_sentences(llm):
    article = load_article(SECOND)
    result = summarize(article, llm, "short", use_model=True)
    assert result.method == "model" and 1 <= len(result.lines) <= 3
    assert result.usage is not None and result.usage.calls >= 1
    shown = build_prompt(article, article.sentences, 3, llm.settings.article_budget).shown
    for line in result.lines:
        if line.source == "picked":
            assert set(line.ids) <= set(shown)  # picked among the sentences shown
    check_citations(result, article)


@pytest.mark.llm
def test_real_map_reduce_with_model_picks_reports_progress(llm, example_article):
    small = LLMClient(llm.settings.with_overrides(prompt_budget=500), usage=llm.usage)
    seen: list[tuple[int, int]] = []
    result = summarize(
        example_article,
        small,
        "headline",
        progress=lambda d, t: seen.append((d, t)),
        use_model=True,
    )
    assert result.chunks > 1 and result.method == "model"
    total = result.chunks + 1
    assert seen[0] == (0, total) and seen[-1] == (total, total)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert result.usage is not None and result.usage.calls >= total
    assert len(result.lines) == 1 and result.lines[0].source in {"picked", "model", "extract"}
    check_citations(result, example_article)
