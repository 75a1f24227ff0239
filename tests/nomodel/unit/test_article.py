"""Article loading, boilerplate stripping and sentence segmentation, on real text."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk.article import (
    MAX_ARTICLE_BYTES,
    Article,
    boilerplate_start,
    decode_article_bytes,
    load_article,
    normalise_ws,
    parse_article,
    read_text,
    segment,
)
from newsdesk.errors import InputError
from tests.helpers.paths import EXAMPLE


def split(text: str) -> list[str]:
    return [normalise_ws(text[a:b]) for a, b, _ in segment(text)]


def assert_spans_exact(article: Article) -> None:
    previous_end = 0
    assert article.sentences
    for i, s in enumerate(article.sentences, start=1):
        assert s.id == f"S{i}" and s.index == i
        assert s.text == normalise_ws(article.text[s.start : s.end])
        assert s.text and not article.text[s.start].isspace()
        assert not article.text[s.end - 1].isspace()
        assert s.start >= previous_end, "spans overlap or go backwards"
        previous_end = s.end


@pytest.fixture(scope="module")
def example() -> Article:
    return load_article(EXAMPLE)


# ---------------------------------------------------------------- the example article


def test_example_sentence_count_and_boundaries(example: Article) -> None:
    texts = [s.text for s in example.sentences]
    assert len(texts) == 21
    assert texts[0].startswith("WASHINGTON/NEW YORK • The US and China are set to relaunch")
    assert texts[1].startswith("After meeting Chinese President Xi Jinping in Japan")
    assert "US$300 billion (S$408 billion) worth of imported Chinese consumer goods" in texts[1]
    assert texts[1].endswith("while the two sides resumed negotiations.")
    assert texts[2].startswith("Mr Trump said then that China would restart")
    assert texts[8] == (
        '"We\'ve had a change in atmospherics," said Dr Derek Scissors, a China expert at the '
        "American Enterprise Institute, a business-oriented Washington think-tank."
    )
    assert texts[9] == (
        '"While this is great for markets, the administration has not said one specific thing '
        "about how we're unstuck.\""
    )
    assert texts[10].startswith("Dr Scissors, who has at times consulted")


def test_example_quote_with_attribution_is_split_at_its_full_stop(example: Article) -> None:
    # A two-sentence quotation closed by ", added Dr Scissors." is cut at its full stop, as
    # reference segmentations (MultiRC's gold sentences among them) cut it.
    s12, s13 = example.get("S12"), example.get("S13")
    assert s12 is not None and s13 is not None
    assert s12.text == ('"The pressure for one side to give in to the other is diffused right now.')
    assert s13.text == 'I expect this to drag out for months," added Dr Scissors.'
    assert s12.paragraph == s13.paragraph


def test_example_agricultural_purchases_sentence_id(example: Article) -> None:
    s16 = example.get("S16")
    assert s16 is not None
    assert s16.text.startswith("One of the sources said Mr Trump raised the issue of agricultural")
    assert s16.text.endswith("only in the context of a broader final agreement.")


def test_example_trailing_wire_boilerplate_is_dropped(example: Article) -> None:
    last = example.sentences[-1]
    assert last.text == (
        '"Both President Xi and President Trump have to come out of this saying they stood '
        'strong, and they in effect got a win."'
    )
    assert example.text[last.end :].strip() == "REUTERS\n\nSEE OPINION"
    joined = " ".join(s.text for s in example.sentences)
    assert "REUTERS" not in joined and "SEE OPINION" not in joined


def test_example_paragraph_numbers(example: Article) -> None:
    paragraphs = [s.paragraph for s in example.sentences]
    assert paragraphs == sorted(paragraphs)
    assert paragraphs[0] == 0 and paragraphs[-1] == 15
    assert len(set(paragraphs)) == 16
    by_id = example.by_id
    assert by_id["S7"].paragraph == by_id["S8"].paragraph == 6
    assert by_id["S9"].paragraph == by_id["S10"].paragraph == 7
    assert by_id["S19"].paragraph == by_id["S20"].paragraph == 14
    assert by_id["S21"].paragraph == 15


def test_example_spans_index_text_exactly(example: Article) -> None:
    assert example.text == EXAMPLE.read_text(encoding="utf-8")
    assert_spans_exact(example)


def test_example_numbered_title_and_lookup(example: Article) -> None:
    assert example.title == example.sentences[0].text
    assert example.get("S999") is None
    lines = example.numbered(["S3", "S999", "S1"]).splitlines()
    assert lines == [f"[S3] {example.by_id['S3'].text}", f"[S1] {example.by_id['S1'].text}"]
    assert example.numbered().count("\n") == len(example.sentences) - 1


def test_example_parses_fast() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    parse_article(text)  # warm up the regex cache
    t0 = time.perf_counter()
    for _ in range(20):
        parse_article(text)
    per_parse = (time.perf_counter() - t0) / 20
    assert per_parse < 0.02, f"{per_parse * 1000:.1f} ms per parse"


# ---------------------------------------------------------------- segmentation rules


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # titles never end a sentence
        (
            "Mr. Petit was released. Dr. Jones and Mrs. Smith stayed.",
            ["Mr. Petit was released.", "Dr. Jones and Mrs. Smith stayed."],
        ),
        (
            "Netanyahu told Sens. Dick Durbin and Gov. Chris Christie. They listened.",
            ["Netanyahu told Sens. Dick Durbin and Gov. Chris Christie.", "They listened."],
        ),
        # dotted acronyms: whole before a name, a boundary before a sentence opener
        (
            "The U.S. Senate voted. It passed.",
            ["The U.S. Senate voted.", "It passed."],
        ),
        (
            "Talks were held in the U.S. The mood was calm.",
            ["Talks were held in the U.S.", "The mood was calm."],
        ),
        (
            "The crash occurred about 6:45 p.m. at the airfield. Five were hurt.",
            ["The crash occurred about 6:45 p.m. at the airfield.", "Five were hurt."],
        ),
        (
            "She earned a Ph.D. in physics. The E.U. and the U.K. agreed.",
            ["She earned a Ph.D. in physics.", "The E.U. and the U.K. agreed."],
        ),
        # company suffixes, months, states: ambiguous, resolved by the next word
        (
            "Shares of Apple Inc. rose. He works for Acme Inc. The firm declined to comment.",
            [
                "Shares of Apple Inc. rose.",
                "He works for Acme Inc.",
                "The firm declined to comment.",
            ],
        ),
        (
            "It happened on Sept. 11, 2001, in New York. "
            "Unemployment fell in Nov. The Fed noted it.",
            [
                "It happened on Sept. 11, 2001, in New York.",
                "Unemployment fell in Nov.",
                "The Fed noted it.",
            ],
        ),
        (
            "Sen. Elizabeth Warren (D-Mass.) spoke. Ryan told a radio station in Lexington, Ky. "
            "“I’m a believer,” he said.",
            [
                "Sen. Elizabeth Warren (D-Mass.) spoke.",
                "Ryan told a radio station in Lexington, Ky.",
                "“I’m a believer,” he said.",
            ],
        ),
        # a real word that is also an abbreviation still ends a sentence
        ("He said no. The deal collapsed.", ["He said no.", "The deal collapsed."]),
        ("He was ill. The doctor came.", ["He was ill.", "The doctor came."]),
        ("It ranked No. 1 in the poll.", ["It ranked No. 1 in the poll."]),
        (
            "Compare e.g. this and i.e. that, or A vs. B.",
            ["Compare e.g. this and i.e. that, or A vs. B."],
        ),
    ],
)
def test_abbreviations(text: str, expected: list[str]) -> None:
    assert split(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "President Donald J. Trump spoke. George W. Bush did not.",
            ["President Donald J. Trump spoke.", "George W. Bush did not."],
        ),
        (
            "The piece was made by L.M. Rendall and read by J.R.R. Tolkien.",
            ["The piece was made by L.M. Rendall and read by J.R.R. Tolkien."],
        ),
        (
            "It was World War I. The war ended in 1918.",
            ["It was World War I.", "The war ended in 1918."],
        ),
        (
            "The mother was referred to as Patient A. Ms Hamilton said so.",
            ["The mother was referred to as Patient A.", "Ms Hamilton said so."],
        ),
    ],
)
def test_initials(text: str, expected: list[str]) -> None:
    assert split(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Tariffs on US$300 billion (S$408 billion) of goods were suspended. Markets rose.",
            ["Tariffs on US$300 billion (S$408 billion) of goods were suspended.", "Markets rose."],
        ),
        (
            "Shares rose 3.5% to $182.50 on Monday. The Dow gained 1.2 per cent.",
            ["Shares rose 3.5% to $182.50 on Monday.", "The Dow gained 1.2 per cent."],
        ),
        (
            "Ospreys cost $20 billion. $3.5 billion more was asked for in 2008.",
            ["Ospreys cost $20 billion.", "$3.5 billion more was asked for in 2008."],
        ),
        (
            "Version 2.0 shipped on 12.05.2019 at cnn.com.",
            ["Version 2.0 shipped on 12.05.2019 at cnn.com."],
        ),
    ],
)
def test_amounts_and_decimals(text: str, expected: list[str]) -> None:
    assert split(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '"Unfortunately, four people were hurt," Toronto police Constable Tony Vella said. '
            '"The remainder ran from the area."',
            [
                '"Unfortunately, four people were hurt," Toronto police Constable Tony Vella said.',
                '"The remainder ran from the area."',
            ],
        ),
        (
            'The museum said Gurlitt had named it "his unrestricted and unfettered sole heir." '
            "The news came as a surprise.",
            [
                'The museum said Gurlitt had named it "his unrestricted and unfettered sole heir."',
                "The news came as a surprise.",
            ],
        ),
        (
            '"Why?" asked Mr Trump. "Are you sure?" the reporter asked. Nobody answered.',
            ['"Why?" asked Mr Trump.', '"Are you sure?" the reporter asked.', "Nobody answered."],
        ),
        (
            '"Why?" Mr Trump asked reporters. Nobody answered.',
            ['"Why?" Mr Trump asked reporters.', "Nobody answered."],
        ),
        (
            '"Why?" Officials said the deal was close.',
            ['"Why?"', "Officials said the deal was close."],
        ),
        (
            "“We’ve had a change,” said Dr Scissors. “While this is great, it is hard.”",
            ["“We’ve had a change,” said Dr Scissors.", "“While this is great, it is hard.”"],
        ),
        (
            "Asked about it, he replied: ‘Not at all. Nothing.’ Then he left.",
            ["Asked about it, he replied: ‘Not at all.", "Nothing.’", "Then he left."],
        ),
    ],
)
def test_quotes(text: str, expected: list[str]) -> None:
    assert split(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("She paused... Then she left.", ["She paused...", "Then she left."]),
        ("She paused… then she left.", ["She paused… then she left."]),
        (
            'He said "... we will win" and left. Then it rained.',
            ['He said "... we will win" and left.', "Then it rained."],
        ),
        ("Wow! That was fast. Really?! Yes.", ["Wow!", "That was fast.", "Really?!", "Yes."]),
        (
            "Taxes rose. (The rate had been cut in 2017.) Critics objected.",
            ["Taxes rose.", "(The rate had been cut in 2017.)", "Critics objected."],
        ),
        (
            "Apple sold 10 million iPhones. eBay fell 2%.",
            ["Apple sold 10 million iPhones.", "eBay fell 2%."],
        ),
    ],
)
def test_ellipses_exclamations_brackets(text: str, expected: list[str]) -> None:
    assert split(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "WASHINGTON (CNN) -- The Senate voted on Tuesday. The bill passed.",
            ["WASHINGTON (CNN) -- The Senate voted on Tuesday.", "The bill passed."],
        ),
        (
            "ST. LOUIS (AP) — A judge ruled on Monday. The city appealed.",
            ["ST. LOUIS (AP) — A judge ruled on Monday.", "The city appealed."],
        ),
        (
            "AUGUSTA, Me. — The governor said he would stay. Critics disagreed.",
            ["AUGUSTA, Me. — The governor said he would stay.", "Critics disagreed."],
        ),
        (
            "Hurlburt Field, Florida (CNN) -- An Air Force CV-22 Osprey crashed Wednesday.",
            ["Hurlburt Field, Florida (CNN) -- An Air Force CV-22 Osprey crashed Wednesday."],
        ),
    ],
)
def test_datelines(text: str, expected: list[str]) -> None:
    assert split(text) == expected


def test_flattened_numbered_list_keeps_number_with_its_item() -> None:
    text = (
        "He raged from the studio. 3. LAST SPELL OF COMMENTARY Benaud's final duties came in 2005."
    )
    assert split(text) == [
        "He raged from the studio.",
        "3. LAST SPELL OF COMMENTARY Benaud's final duties came in 2005.",
    ]


# ---------------------------------------------------------------- lines and paragraphs


def test_blank_lines_separate_paragraphs_crlf_included() -> None:
    text = "First one. Second one.\r\n\r\nThird one.\r\n \r\nFourth one."
    spans = segment(text)
    assert [normalise_ws(text[a:b]) for a, b, _ in spans] == [
        "First one.",
        "Second one.",
        "Third one.",
        "Fourth one.",
    ]
    assert [p for _, _, p in spans] == [0, 0, 1, 2]


def test_headline_and_bullets_on_single_lines_are_their_own_paragraphs() -> None:
    text = "Trade talks resume\nThe US and China are set to relaunch talks.\n- one item\n- another"
    spans = segment(text)
    assert [normalise_ws(text[a:b]) for a, b, _ in spans] == [
        "Trade talks resume",
        "The US and China are set to relaunch talks.",
        "- one item",
        "- another",
    ]
    assert [p for _, _, p in spans] == [0, 1, 2, 3]


def test_hard_wrapped_lines_are_joined() -> None:
    text = (
        "This is a hard-wrapped paragraph of text that goes on for a\n"
        "while and keeps going because the author wrapped it at about\n"
        "sixty characters. The second sentence starts on the third\n"
        "line and ends here."
    )
    spans = segment(text)
    assert [normalise_ws(text[a:b]) for a, b, _ in spans] == [
        "This is a hard-wrapped paragraph of text that goes on for a while and keeps going "
        "because the author wrapped it at about sixty characters.",
        "The second sentence starts on the third line and ends here.",
    ]
    assert {p for _, _, p in spans} == {0}


def test_segment_respects_start_and_end() -> None:
    text = "Ignored prefix. Kept one. Kept two. Ignored suffix."
    start = text.index("Kept one")
    end = text.index(" Ignored suffix")
    spans = segment(text, start, end)
    assert [text[a:b] for a, b, _ in spans] == ["Kept one.", "Kept two."]
    assert all(start <= a < b <= end for a, b, _ in spans)


def test_punctuation_only_pieces_are_not_sentences() -> None:
    assert split("Real sentence.\n\n* * *\n\n---\n\nAnother one.") == [
        "Real sentence.",
        "Another one.",
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Mr",
                "Dr.",
                "U.S.",
                "Inc.",
                "said",
                "the",
                "He",
                "US$300",
                "3.5",
                "J.",
                "...",
                "…",
                "?",
                "!",
                ".",
                ",",
                '"',
                "“",
                "”",
                "'",
                "(",
                ")",
                "—",
                "\n",
                "\n\n",
                "\r\n",
                " ",
                "  ",
                "\t",
                "WASHINGTON",
                "The",
                "it",
                "A.",
                "p.m.",
                "-",
                "•",
            ]
        ),
        max_size=60,
    ).map("".join)
)
def test_spans_index_text_exactly_for_any_text(text: str) -> None:
    previous_end = 0
    previous_paragraph = 0
    for a, b, p in segment(text):
        piece = text[a:b]
        assert piece == piece.strip() and piece
        assert any(ch.isalnum() for ch in piece)
        assert a >= previous_end and p >= previous_paragraph
        previous_end, previous_paragraph = b, p


# ---------------------------------------------------------------- boilerplate


@pytest.mark.parametrize(
    ("text", "body"),
    [
        ('They got a win."REUTERS\n\nSEE OPINION', 'They got a win."'),
        ("Talks resumed.\n\nREAD MORE: Trade war timeline", "Talks resumed."),
        ("Talks resumed. - Reuters", "Talks resumed."),
        ("Talks resumed.\n(Reporting by Jane Doe; Editing by John Roe)", "Talks resumed."),
        ("Talks resumed. AFP\n", "Talks resumed."),
        # not boilerplate: the agency is part of the sentence
        ("He told Reuters", "He told Reuters"),
        ("They spoke to AFP and others.", "They spoke to AFP and others."),
        ("Related parties met.", "Related parties met."),
    ],
)
def test_boilerplate_start(text: str, body: str) -> None:
    assert text[: boilerplate_start(text)] == body


def test_boilerplate_in_parsed_article() -> None:
    article = parse_article("The talks resumed. Both sides said so.\n\nSEE ALSO: Huawei ban")
    assert [s.text for s in article.sentences] == ["The talks resumed.", "Both sides said so."]


def test_article_of_only_punctuation_has_no_sentences() -> None:
    with pytest.raises(InputError, match="no sentences"):
        parse_article("... --- ***", "junk.txt")


# ---------------------------------------------------------------- loading


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_article(tmp_path / "nope.txt")


def test_load_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        load_article(tmp_path)


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  ", b"\xef\xbb\xbf  \n"])
def test_load_empty_or_whitespace_only(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(data)
    with pytest.raises(InputError, match="empty"):
        load_article(path)


def test_load_binary_with_nul(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(InputError, match="binary"):
        load_article(path)


def test_load_latin1_suggests_converting(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Le café est fermé. Les négociations reprennent.".encode("latin-1"))
    with pytest.raises(InputError) as info:
        load_article(path)
    message = str(info.value)
    assert "not UTF-8" in message and "offset 6" in message
    assert "iconv -f latin1 -t utf-8" in message and str(path) in message


def test_load_strips_bom_and_keeps_spans_exact(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffMr Trump spoke. Mr Xi listened.".encode())
    article = load_article(path)
    assert not article.text.startswith("\ufeff")
    assert article.source == str(path)
    assert [s.text for s in article.sentences] == ["Mr Trump spoke.", "Mr Xi listened."]
    assert_spans_exact(article)


def test_load_stdin_bytes() -> None:
    article = load_article(
        "-", stdin_bytes="U.S. officials met. “Talks resume,” they said.".encode()
    )
    assert article.source == "<stdin>"
    assert [s.text for s in article.sentences] == [
        "U.S. officials met.",
        "“Talks resume,” they said.",
    ]
    text, label = read_text("-", stdin_bytes=b"One. Two.")
    assert (text, label) == ("One. Two.", "<stdin>")


def test_empty_stdin_is_an_input_error() -> None:
    with pytest.raises(InputError, match="<stdin>: the article is empty"):
        load_article("-", stdin_bytes=b"\n\n")


def test_control_character_soup_is_binary() -> None:
    with pytest.raises(InputError, match="binary"):
        decode_article_bytes(bytes(range(1, 32)) * 20, "soup.bin")


def test_oversized_bytes_are_refused() -> None:
    with pytest.raises(InputError, match="limit"):
        decode_article_bytes(b"a" * (MAX_ARTICLE_BYTES + 1), "huge.txt")


def test_decode_accepts_utf8_text_unchanged() -> None:
    raw = "Ms Reade said: “It’s a question of political will.”\n"
    assert decode_article_bytes(raw.encode(), "ok.txt") == raw
