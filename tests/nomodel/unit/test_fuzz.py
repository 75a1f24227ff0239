"""Hostile text: the loader, segmenter, chunker and citation parser never crash, never hang, and
sentence spans always index the original text exactly."""

from __future__ import annotations

import contextlib
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsdesk.article import (
    MAX_ARTICLE_BYTES,
    MAX_SENTENCE_CHARS,
    Article,
    boilerplate_start,
    decode_article_bytes,
    normalise_ws,
    parse_article,
    segment,
)
from newsdesk.chunking import chunk_article
from newsdesk.citations import check_ids, parse_ids, resolve
from newsdesk.errors import InputError

# Pieces that stress the segmenter's rules, mixed with arbitrary Unicode.
PIECES = [
    ". ",
    "... ",
    "?! ",
    "! ",
    "? ",
    "…",
    "Mr. ",
    "Dr ",
    "U.S. ",
    "p.m. ",
    "No. 1 ",
    "US$300 ",
    "3.5 ",
    '"',
    "“",
    "”",
    "'",
    "’",
    "(",
    ")",
    "[S3]",
    "[S999]",
    "</article>",
    "<article>",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    "\t",
    "\f",
    "\v",
    "\x00",
    "\x1b[31m",
    "\u2028",
    "\u2029",
    "\u00a0",
    "\u200b",
    "\u202e",  # right-to-left override
    "\ufeff",
    "שלום עולם. ",  # Hebrew
    "مرحبا بالعالم. ",  # Arabic
    "😀",
    "👩‍👩‍👧",
    "🇺🇸 ",
    "e\u0301",  # combining accent
    "AUGUSTA, Me. — ",
    "3. ",
    "REUTERS",
    "SEE OPINION",
    "(Reporting by A; Editing by B)",
    " - Reuters",
    "The ",
    "He said. ",
    "word ",
]

text_strategy = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=30)), max_size=60).map(
    "".join
)

# "²" is isdigit() but not a decimal: its own test is below; the rest of the space is fuzzed.
no_other_digits = st.text(alphabet=st.characters(exclude_categories=("No",)), max_size=30)
cited_text = no_other_digits | st.sampled_from(
    ["S1", "[S2]", "s3", "S999", "S01", "7", "S1, S2", "[S3][S4]", "S1.5"]
)


FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def no_body_text(text: str) -> bool:
    return not any(ch.isalnum() for ch in text[: boilerplate_start(text)])


def check_spans(article: Article) -> None:
    text = article.text
    prev_end = 0
    assert article.sentences
    for i, s in enumerate(article.sentences, start=1):
        assert s.id == f"S{i}" and s.index == i
        assert 0 <= prev_end <= s.start < s.end <= len(text)
        piece = text[s.start : s.end]
        assert piece == piece.strip()  # trimmed: starts and ends on visible text
        assert normalise_ws(piece) == s.text
        assert any(ch.isalnum() for ch in s.text)
        assert s.end - s.start <= MAX_SENTENCE_CHARS
        prev_end = s.end
    paragraphs = [s.paragraph for s in article.sentences]
    assert paragraphs == sorted(paragraphs)


@FUZZ
@given(text_strategy)
def test_parse_article_spans_index_the_text(text):
    try:
        article = parse_article(text, "fuzz")
    except InputError as exc:
        assert "no sentences" in str(exc)
        assert no_body_text(text)  # nothing with letters or digits was silently dropped
        return
    check_spans(article)
    assert article.numbered().count("\n") == len(article.sentences) - 1


@FUZZ
@given(st.text(max_size=400))
def test_any_unicode_segments_or_refuses_cleanly(text):
    try:
        check_spans(parse_article(text))
    except InputError:
        assert no_body_text(text)


@FUZZ
@given(st.binary(max_size=2000))
def test_decoding_bytes_is_text_or_a_one_line_input_error(data):
    try:
        text = decode_article_bytes(data, "fuzz.txt")
    except InputError as exc:
        msg = str(exc)
        assert "\n" not in msg and msg.startswith("fuzz.txt: ")
        return
    assert isinstance(text, str) and text.strip()
    with contextlib.suppress(InputError):
        check_spans(parse_article(text))


@FUZZ
@given(text_strategy, st.integers(min_value=8, max_value=80), st.integers(0, 3))
def test_chunks_cover_every_sentence_within_the_limit(text, max_tokens, overlap):
    try:
        article = parse_article(text)
    except InputError:
        return
    chunks = chunk_article(article, max_tokens=max_tokens, overlap=overlap)
    covered = [sid for c in chunks for sid in c.sentence_ids]
    assert set(covered) == set(article.by_id)
    if overlap == 0:
        assert covered == [s.id for s in article.sentences]
    for c in chunks:
        assert c.split or c.tokens <= max_tokens
        if c.split:
            assert len(c.sentence_ids) == 1 and c.parts


def test_split_sentence_pieces_rejoin_to_the_sentence():
    article = parse_article("0\U00010000")
    (chunk,) = chunk_article(article, max_tokens=8)
    assert chunk.split and "".join(chunk.parts) == chunk.text


@FUZZ
@given(st.one_of(cited_text, st.lists(cited_text, max_size=5)))
def test_citation_parser_yields_only_well_formed_ids(value):
    ids = parse_ids(value)
    assert len(ids) == len(set(ids))
    for sid in ids:
        assert re.fullmatch(r"S(0|[1-9][0-9]*)", sid), sid


def test_superscript_digit_citation_is_dropped_not_a_crash():
    assert parse_ids(["²"]) == []


@FUZZ
@given(text_strategy, st.lists(cited_text, max_size=8))
def test_citations_never_leave_the_article(text, cited):
    try:
        article = parse_article(text)
    except InputError:
        return
    shown = [s.id for s in article.sentences[::2]]
    result = check_ids(cited, article, shown)
    assert set(result.valid) <= set(shown)
    for c in resolve(result.valid, article):
        assert article.text[c.start : c.end].strip() and c.text == article.get(c.id).text


# ------------------------------------------------------------------ big and odd inputs, timed

TWO_MB = 2 * 1024 * 1024


@pytest.mark.parametrize(
    "line",
    [
        "word " * (TWO_MB // 5),  # no sentence punctuation at all
        "Mr. U.S. p.m. e.g. " * (TWO_MB // 19),  # abbreviations only, never a boundary
        "Short one. " * (TWO_MB // 11),  # ~190,000 sentences
        "😀" * (TWO_MB // 4),  # emoji only: nothing alphanumeric
        "שלום עולם. مرحبا بالعالم. " * (TWO_MB // 48),  # right-to-left
        "." * TWO_MB,
        "\n" * 1000 + "a" * TWO_MB,
    ],
    ids=["no-punct", "abbrevs", "many", "emoji", "rtl", "dots", "one-word"],
)
def test_two_megabyte_single_line_is_bounded(line):
    data = line.encode()
    start = time.perf_counter()
    try:
        article = parse_article(decode_article_bytes(data, "big.txt"), "big.txt")
    except InputError as exc:
        assert "no sentences" in str(exc)
        article = None
    elapsed = time.perf_counter() - start
    assert elapsed < 30, f"{elapsed:.1f} s"  # linear work; a few seconds on a loaded 2-core box
    if article is not None:
        # spot-check spans across the whole text (checking all 190k is slow, not wrong)
        step = max(1, len(article.sentences) // 500)
        sub = article.sentences[::step]
        assert sub
        for s in sub:
            assert normalise_ws(article.text[s.start : s.end]) == s.text


def test_segment_of_an_empty_or_blank_range():
    assert segment("") == []
    assert segment("   \n\n\t ") == []
    assert segment("Hello there. Bye now.", 5, 5) == []


def test_long_unpunctuated_text_is_cut_at_word_breaks():
    text = ("alpha beta, gamma delta " * 600).strip()
    article = parse_article(text)
    assert len(article.sentences) >= 7
    for s in article.sentences:
        assert s.end - s.start <= MAX_SENTENCE_CHARS
        assert not s.text.split()[-1].startswith(("lpha", "eta", "amma", "elta"))  # whole words
    assert " ".join(s.text for s in article.sentences) == text


# ------------------------------------------------------------------ hostile files, every command

ARTICLE_COMMANDS = {
    "ask": ["What happened?"],
    "summarize": [],
    "stance": [],
    "brief": [],
    "chunk": [],
}


def test_every_article_command_is_registered() -> None:
    import typer.main

    from newsdesk.cli.app import app

    group = typer.main.get_command(app)
    names = set(group.list_commands(typer.Context(group)))  # type: ignore[attr-defined]
    assert set(ARTICLE_COMMANDS) <= names


def invoke(*args: str):  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from newsdesk.cli.app import app

    # an unreachable endpoint: bad input must be refused before any call (a call exits 3)
    endpoint = [] if args[0] == "chunk" else ["--base-url", "http://127.0.0.1:9/v1"]
    return CliRunner().invoke(app, [*args, *endpoint])


BAD_FILES = {
    "missing": (None, "no such file"),
    "empty": (b"", "the article is empty"),
    "blank": (b" \n\t\n ", "the article is empty"),
    "binary": (bytes(range(256)) * 8, "binary"),
    "latin1": ("Caf\xe9 au lait, cr\xe8me br\xfbl\xe9e.".encode("latin-1"), "iconv -f latin1"),
    "utf16": ("A UTF-16 article.".encode("utf-16"), "binary"),
    "no-words": ("... ?! 😀 — ¡¿ «» ".encode(), "no sentences found"),
}


@pytest.mark.parametrize("command", list(ARTICLE_COMMANDS))
@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_is_one_line_exit_2(tmp_path, command, case):
    content, expected = BAD_FILES[case]
    path = tmp_path / "article.txt"
    if content is not None:
        path.write_bytes(content)
    result = invoke(command, str(path), *ARTICLE_COMMANDS[command])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert expected in lines[0]


@pytest.mark.parametrize("command", list(ARTICLE_COMMANDS))
def test_directory_unreadable_and_oversized(tmp_path, command, monkeypatch):
    extra = ARTICLE_COMMANDS[command]
    folder = invoke(command, str(tmp_path), *extra)
    assert folder.exit_code == 2 and "directory" in folder.output
    huge = tmp_path / "huge.txt"
    with open(huge, "wb") as fh:
        fh.truncate(MAX_ARTICLE_BYTES + 1)  # sparse: costs no disk
    over = invoke(command, str(huge), *extra)
    assert over.exit_code == 2
    assert f"larger than the {MAX_ARTICLE_BYTES:,}-byte limit" in over.output
    # Running as root, chmod cannot make a file unreadable: raise what the OS would raise
    locked = tmp_path / "locked.txt"
    locked.write_text("A perfectly good article.")

    def denied(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)
    perm = invoke(command, str(locked), *extra)
    assert perm.exit_code == 2 and perm.output.strip() == f"error: {locked}: permission denied"
    for r in (folder, over, perm):
        assert len(r.output.strip().splitlines()) == 1 and "Traceback" not in r.output


@pytest.mark.parametrize("command", ["ask", "summarize", "stance", "brief"])
def test_article_bigger_than_any_budget_is_cut_to_fit(tmp_path, command):
    """400 KB of words and no full stop (~80,000 tokens): every prompt stays within the budget
    (selected or map-reduced), never one 80,000-token request."""
    path = tmp_path / "wall.txt"
    path.write_text("word " * 80_000)
    start = time.perf_counter()
    result = invoke(command, str(path), *ARTICLE_COMMANDS[command], "--dry-run")
    elapsed = time.perf_counter() - start
    assert result.exit_code == 0, result.output[-500:]
    counts = [int(n) for n in re.findall(r"^--- (\d+) prompt tokens", result.stdout, re.M)]
    assert counts and max(counts) <= 16_000  # the 12,000-token article budget plus the template
    assert "[S1] word word" in result.stdout  # the article's text is there, cut into sentences
    assert elapsed < 120
