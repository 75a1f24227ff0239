from __future__ import annotations

import itertools

import pytest

from newsdesk.article import parse_article
from newsdesk.chunking import chunk_article, sentence_line
from newsdesk.tokens import count_tokens, encoding_for


def test_chunks_cover_every_sentence_in_order_within_limit(example_article):
    chunks = chunk_article(example_article, max_tokens=128)
    assert len(chunks) > 1
    ids = [sid for c in chunks for sid in c.sentence_ids]
    assert ids == [s.id for s in example_article.sentences]
    for c in chunks:
        assert c.tokens <= 128
        assert c.tokens == count_tokens(c.text + "\n") or c.tokens >= count_tokens(c.text)
        assert c.text.startswith(f"[{c.first}] ")


def test_whole_article_in_one_chunk_when_it_fits(example_article):
    chunks = chunk_article(example_article, max_tokens=100_000)
    assert len(chunks) == 1
    assert chunks[0].first == "S1"
    assert chunks[0].last == example_article.sentences[-1].id


def test_overlap_repeats_trailing_sentences(example_article):
    plain = chunk_article(example_article, max_tokens=150)
    overlapped = chunk_article(example_article, max_tokens=150, overlap=1)
    assert len(overlapped) >= len(plain) and len(overlapped) >= 2  # at least one pair below
    for prev, nxt in itertools.pairwise(overlapped):
        assert nxt.sentence_ids[0] == prev.sentence_ids[-1]


def test_sentence_longer_than_limit_is_cut_on_tokens_and_flagged():
    long_sentence = "The committee " + "reviewed the budget and " * 80 + "approved it."
    art = parse_article(f"Short opening line here. {long_sentence} A closing sentence.")
    chunks = chunk_article(art, max_tokens=40)
    split = [c for c in chunks if c.split]
    assert len(split) == 1
    enc = encoding_for(None)
    pieces = split[0].parts
    assert len(pieces) > 1
    assert all(len(enc.encode(p)) <= 40 for p in pieces)
    assert "".join(pieces) == sentence_line(art.sentences[1])


def test_bad_limits_rejected(example_article):
    with pytest.raises(ValueError):
        chunk_article(example_article, max_tokens=2)
    with pytest.raises(ValueError):
        chunk_article(example_article, overlap=-1)


def test_offline_o200k_encoding_is_the_real_one():
    enc = encoding_for("gpt-4o")
    assert enc.name == "o200k_base"
    # Known o200k_base tokenisation: "hello world" is two tokens, ids 24912 and 2375.
    assert enc.encode("hello world") == [24912, 2375]
    assert encoding_for("some-unknown-model").name == "o200k_base"


def test_embedded_models_are_counted_in_o200k_without_importing_tiktoken() -> None:
    """A cached `ask` on an embedded model counts every token from the memo: naming the
    encoding must not cost tiktoken's import. OpenAI names still use tiktoken's tables."""
    import subprocess
    import sys

    code = (
        "import sys; from newsdesk.tokens import encoding_name; "
        "print(encoding_name('qwen2.5-coder-1.5b'), encoding_name('gemma-3-270m'), "
        "'tiktoken' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["o200k_base", "o200k_base", "False"]
    from newsdesk.tokens import encoding_name

    assert encoding_name("gpt-3.5-turbo") == "cl100k_base"
