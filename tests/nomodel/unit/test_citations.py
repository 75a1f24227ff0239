from __future__ import annotations

from newsdesk.citations import check_ids, format_ids, parse_ids, resolve


def test_parse_ids_accepts_common_shapes():
    assert parse_ids("[S3, S7]") == ["S3", "S7"]
    assert parse_ids("s3;S3 ; S12") == ["S3", "S12"]
    assert parse_ids(["S2", "4", "[S5]"]) == ["S2", "S4", "S5"]
    assert parse_ids("no ids here") == []


def test_check_ids_drops_invented_and_unshown(example_article):
    shown = ["S1", "S2", "S3"]
    check = check_ids(["S2", "S999", "S5", "S2"], example_article, shown)
    assert check.valid == ["S2"]
    assert check.dropped == ["S999", "S5"]


def test_resolve_quotes_sentences_verbatim_in_article_order(example_article):
    cites = resolve(["S16", "S2"], example_article)
    assert [c.id for c in cites] == ["S2", "S16"]
    for c in cites:
        s = example_article.get(c.id)
        assert c.text == s.text
        assert example_article.text[c.start : c.end].split() == c.text.split()
    assert resolve(["S999"], example_article) == []


def test_format_ids():
    assert format_ids(["S1", "S4"]) == "[S1, S4]"
    assert format_ids([]) == ""
