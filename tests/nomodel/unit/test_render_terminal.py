"""Terminal rendering of an answer (`render.terminal`): what a reader sees, markup escaped."""

from __future__ import annotations

from typing import Any

import pytest
from rich.console import Console

from newsdesk.article import Article, parse_article
from newsdesk.chunking import Chunk
from newsdesk.citations import resolve
from newsdesk.llm.usage import Usage, UsageLog
from newsdesk.render.terminal import footer, print_chunks, print_citations
from newsdesk.tasks.ask import NOT_SAID, AskResult
from newsdesk.tasks.ask.render import print_ask

TEXT = (
    "Negotiators from both countries agreed to cut tariffs on Monday.\n\n"
    "The deal covers $12 million of soybeans, officials said.\n\n"
    "A placard read [bold]NO DEAL[/bold] outside the hall.\n"
)


@pytest.fixture(scope="module")
def article() -> Article:
    return parse_article(TEXT)


def render(fn: Any, *args: Any, **kwargs: Any) -> str:
    console = Console(record=True, width=100, color_system=None)
    fn(console, *args, **kwargs)
    return console.export_text()


def ask(article: Article, ids: list[str], **kw: Any) -> AskResult:
    fields: dict[str, Any] = {
        "question": "What did the negotiators agree?",
        "answer": "They agreed to cut tariffs.",
        "answerable": True,
        "citations": resolve(ids, article),
    }
    fields.update(kw)
    return AskResult(**fields)


def test_article_has_the_sentences_the_tests_cite(article: Article) -> None:
    assert [s.id for s in article.sentences] == ["S1", "S2", "S3"]
    assert "[bold]" in article.by_id["S3"].text


def test_supported_answer_and_its_citations_verbatim(article: Article) -> None:
    out = render(print_ask, ask(article, ["S1", "S2"]))
    lines = out.splitlines()
    assert lines[0] == "They agreed to cut tariffs."
    assert f"  [S1] (the reporter) {article.by_id['S1'].text}" in lines
    assert f"  [S2] (officials said) {article.by_id['S2'].text}" in lines
    assert "Unsupported" not in out
    assert "do not rely" not in out


def test_question_shown_only_when_asked(article: Article) -> None:
    result = ask(article, ["S1"])
    assert "Q: What did the negotiators agree?" in render(print_ask, result, show_question=True)
    assert "Q:" not in render(print_ask, result)


def test_unsupported_answer_is_flagged_with_missing_words(article: Article) -> None:
    result = ask(
        article,
        ["S1"],
        answer="They agreed to cut tariffs on wheat.",
        grounding="unsupported",
        missing=["wheat"],
    )
    assert result.supported is False
    out = render(print_ask, result)
    assert out.splitlines()[0] == "Unsupported: They agreed to cut tariffs on wheat."
    assert "the cited sentences do not contain 'wheat'; do not rely on it" in out
    assert f"  [S1] (the reporter) {article.by_id['S1'].text}" in out


def test_unsupported_answer_without_missing_words(article: Article) -> None:
    result = ask(article, ["S1"], grounding="unsupported")
    out = render(print_ask, result)
    assert out.startswith("Unsupported: ")
    assert "the cited sentences do not state all of this; do not rely on it" in out


def test_answer_without_citations_is_not_shown_as_fact(article: Article) -> None:
    result = ask(article, [])
    assert result.supported is False
    out = render(print_ask, result)
    assert out.startswith("Unsupported: They agreed to cut tariffs.")
    assert "no sentence of the article states this; do not rely on it" in out


def test_does_not_say(article: Article) -> None:
    result = ask(article, [], answer=NOT_SAID, answerable=False, grounding="not-said")
    assert result.supported is True  # a non-answer is not a claim to flag
    out = render(print_ask, result)
    assert out.strip() == "The article does not say."


def test_dropped_citations_are_counted(article: Article) -> None:
    out = render(print_ask, ask(article, ["S1"], dropped=["S9", "S12"]))
    assert "2 invalid citation(s) dropped: S9, S12" in out
    assert "dropped" not in render(print_ask, ask(article, ["S1"]))


def test_markup_in_article_text_is_printed_literally(article: Article) -> None:
    out = render(print_citations, resolve(["S3"], article))
    expected = "[S3] (the reporter) A placard read [bold]NO DEAL[/bold] outside the hall."
    assert out.strip() == expected


def test_markup_in_answer_and_question_is_printed_literally(article: Article) -> None:
    result = ask(
        article,
        ["S3"],
        question="What did the [red]placard[/red] say?",
        answer="It read [bold]NO DEAL[/bold].",
    )
    out = render(print_ask, result, show_question=True)
    assert "Q: What did the [red]placard[/red] say?" in out
    assert "It read [bold]NO DEAL[/bold]." in out
    flagged = ask(article, ["S3"], answer="[i]x[/i] deal", grounding="unsupported", missing=["[x]"])
    out = render(print_ask, flagged)
    assert "Unsupported: [i]x[/i] deal" in out
    assert "'[x]'" in out


def test_footer_with_a_priced_model() -> None:
    usage = Usage(
        model="gpt-4o-mini", prompt_tokens=1000, completion_tokens=200, seconds=1.234, calls=1
    )
    # 1000 * 0.15 / 1e6 + 200 * 0.60 / 1e6 = 0.00027
    assert footer(usage) == (
        "model gpt-4o-mini · 1000 tokens in / 200 out · 1.23 s · not cached · $0.0003"
    )


def test_a_cache_hit_spent_nothing_and_a_total_sums_only_fresh_calls() -> None:
    """A cached answer once printed the price of the call that first made it as spent."""
    hit = Usage(model="gpt-4o-mini", prompt_tokens=1000, completion_tokens=200, cached=True)
    assert footer(hit).endswith("· cached · $0.0000")
    assert hit.to_dict()["cost_usd"] == 0.0
    assert hit.cost == pytest.approx(0.00027)  # the list price stays known
    fresh = Usage(model="gpt-4o-mini", prompt_tokens=2000, completion_tokens=0, calls=1)
    total = UsageLog([hit, fresh]).total()
    assert total.prompt_tokens == 3000 and not total.cached
    assert total.to_dict()["cost_usd"] == 0.0003  # 2000 * 0.15 / 1e6: the fresh call only


def test_footer_of_an_unpriced_cached_model() -> None:
    usage = Usage(model="gemma-3-270m", prompt_tokens=5, completion_tokens=2, cached=True)
    assert footer(usage) == "model gemma-3-270m · 5 tokens in / 2 out · 0.00 s · cached"
    assert "$" not in footer(usage)


def test_chunk_table() -> None:
    chunks = [
        Chunk(id="C1", sentence_ids=["S1", "S2"], tokens=40, text="..."),
        Chunk(id="C2", sentence_ids=["S3"], tokens=12, text="..."),
        Chunk(id="C3", sentence_ids=["S4"], tokens=90, text="...", split=True, parts=["a", "b"]),
    ]
    out = render(print_chunks, chunks)
    rows = {line.split()[1]: line for line in out.splitlines() if "C" in line and "│" in line}
    assert "S1–S2" in rows["C1"] and "40" in rows["C1"]
    assert "S3" in rows["C2"] and "–" not in rows["C2"] and "12" in rows["C2"]
    assert "cut into 2 token pieces" in rows["C3"]
    assert "token pieces" not in rows["C1"]


def test_footer_without_a_call_says_so():
    """check decides a draft that copies the article by rule: no model, no empty model name."""
    assert footer(Usage()) == "no model call"
