"""BM25 retrieval (`newsdesk.retrieval`): the sentences the model is shown for a query."""

from __future__ import annotations

import math

import pytest

from newsdesk.grounding import stemmed_words
from newsdesk.retrieval import BM25, select_with_neighbours, tokenize, top_k

DOCS = [
    "The two governments met in Geneva on Monday.",
    "Officials said the meeting was long.",
    "The negotiators agreed to lower tariffs on soybeans.",
    "Officials said the talks would resume.",
    "Markets rose after the announcement.",
]


@pytest.mark.parametrize(
    "text",
    ["The negotiators agreed to lower tariffs.", "They agree; purchases of $12 million", ""],
)
def test_tokenize_is_the_grounding_tokens(text: str) -> None:
    assert tokenize(text) == stemmed_words(text)


def test_stemming_meets_agreed_and_agree() -> None:
    assert tokenize("agreed") == tokenize("agree") == tokenize("agreeing")
    scores = BM25(["They agreed on a deal.", "Markets rose."]).scores("Did they agree?")
    assert scores[0] > 0
    assert scores[1] == 0


def test_stop_words_carry_no_score() -> None:
    # "the", "of", "and" are stop words: a query of them shares no term with anything
    assert tokenize("the of and") == []
    assert BM25(DOCS).scores("the of and") == [0.0] * len(DOCS)


def test_score_is_positive_only_when_a_term_is_shared() -> None:
    scores = BM25(DOCS).scores("soybeans tariffs")
    assert scores[2] > 0
    assert [s for i, s in enumerate(scores) if i != 2] == [0.0] * (len(DOCS) - 1)


def test_rare_shared_term_ranks_first() -> None:
    # "officials" is in two sentences, "Geneva" in one: the rare term weighs more
    scores = BM25(DOCS).scores("officials Geneva")
    assert scores[0] > scores[1] > 0
    assert scores[0] > scores[3]
    assert top_k(DOCS, "officials Geneva", 1) == [0]


def test_idf_is_the_okapi_formula() -> None:
    bm = BM25(DOCS)
    n = len(DOCS)
    assert bm.idf["official"] == pytest.approx(math.log(1 + (n - 2 + 0.5) / (2 + 0.5)))
    assert bm.idf["geneva"] == pytest.approx(math.log(1 + (n - 1 + 0.5) / (1 + 0.5)))
    assert bm.idf["geneva"] > bm.idf["official"] > 0


def test_repeated_term_scores_more_but_saturates() -> None:
    docs = ["tariff", "tariff tariff", "tariff tariff tariff tariff", "other words here"]
    s = BM25(docs, b=0.0).scores("tariff")  # b=0: no length normalisation, tf alone
    assert s[0] < s[1] < s[2]
    idf = BM25(docs).idf["tariff"]
    assert s[2] < idf * (1.5 + 1)  # the k1 + 1 ceiling


def test_longer_document_scores_less_for_the_same_term_count() -> None:
    docs = ["tariffs rose", "tariffs rose sharply amid broad market turmoil overseas"]
    s = BM25(docs).scores("tariffs")
    assert s[0] > s[1] > 0


def test_query_term_repeated_counts_each_time() -> None:
    bm = BM25(DOCS)
    assert bm.scores("Geneva Geneva")[0] == pytest.approx(2 * bm.scores("Geneva")[0])


def test_empty_query_and_empty_docs() -> None:
    assert BM25(DOCS).scores("") == [0.0] * len(DOCS)
    assert BM25([]).scores("tariffs") == []
    assert top_k([], "tariffs", 3) == []
    assert top_k(DOCS, "", 3) == []
    # documents with no terms at all (avgdl 0) do not divide by zero
    assert BM25(["", "the of"]).scores("tariffs") == [0.0, 0.0]


def test_top_k_keeps_only_positive_scores_best_first() -> None:
    assert top_k(DOCS, "officials Geneva", 10) == [0, 1, 3]
    assert top_k(DOCS, "officials Geneva", 2) == [0, 1]
    assert top_k(DOCS, "volcano", 3) == []


def test_top_k_ties_keep_text_order() -> None:
    docs = ["Officials spoke.", "Markets rose.", "Officials spoke."]
    scores = BM25(docs).scores("officials")
    assert scores[0] == scores[2] > 0
    assert top_k(docs, "officials", 2) == [0, 2]
    assert top_k(docs, "officials", 1) == [0]


def test_top_k_zero() -> None:
    assert top_k(DOCS, "Geneva", 0) == []


def test_neighbours_are_added_in_text_order() -> None:
    # the match is S3 (index 2): one neighbour each side, plus the lede
    assert select_with_neighbours(DOCS, "soybeans", 1) == [0, 1, 2, 3]
    assert select_with_neighbours(DOCS, "soybeans", 1, always_first=False) == [1, 2, 3]
    assert select_with_neighbours(DOCS, "soybeans", 1, neighbours=0, always_first=False) == [2]
    assert select_with_neighbours(DOCS, "soybeans", 1, neighbours=2, always_first=False) == [
        0,
        1,
        2,
        3,
        4,
    ]


def test_neighbours_stay_inside_the_article() -> None:
    assert select_with_neighbours(DOCS, "markets", 1, always_first=False) == [3, 4]
    assert select_with_neighbours(DOCS, "Geneva", 1, neighbours=3, always_first=False) == [
        0,
        1,
        2,
        3,
    ]


def test_no_match_still_gives_the_lede_unless_asked_not_to() -> None:
    assert select_with_neighbours(DOCS, "volcano", 3) == [0]
    assert select_with_neighbours(DOCS, "volcano", 3, always_first=False) == []
    assert select_with_neighbours([], "volcano", 3) == []


def test_overlapping_windows_are_merged_once() -> None:
    out = select_with_neighbours(DOCS, "officials", 2, always_first=False)
    assert out == [0, 1, 2, 3, 4]
    assert len(out) == len(set(out))
