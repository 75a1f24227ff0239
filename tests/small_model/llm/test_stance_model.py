"""stance on the embedded 270M model, from the CLI and on a second article (split from
tests/nomodel/llm/test_stance.py)."""

from __future__ import annotations

import json

import pytest

from newsdesk.article import load_article, normalise_ws
from newsdesk.cli.app import app
from newsdesk.tasks.stance import (
    STANCES,
)
from tests.helpers.paths import DATA
from tests.nomodel.llm.test_stance import runner


def _check_result(data, article):  # type: ignore[no-untyped-def]
    flat = normalise_ws(article.text)
    assert data["central_issue"].strip()
    assert data["parties"]
    for p in data["parties"] + data["other_parties"]:
        for name in [p["name"], *p["aliases"]]:
            assert name in flat, f"party name {name!r} is not in the article"
        assert p["stance"] in STANCES
        for c in p["evidence"]:
            assert article.by_id[c["id"]].text == c["text"]
        for q in p["quotes"]:
            assert normalise_ws(article.text[q["start"] : q["end"]]).rstrip(",") == q["text"]
            assert q["text"] in article.by_id[q["id"]].text
        for c in p["claims_by_others"]:
            assert c["by"] != p["name"] and article.by_id[c["id"]].text == c["text"]
    for d in data["disagreements"]:
        assert len(d["sides"]) == 2
        for side in d["sides"]:
            assert side["evidence"] and all(i in article.by_id for i in side["evidence"])
    assert not any(n.lower() not in flat.lower() for n in data["model_proposed"])


CHENEY = DATA / "basil-cheney-hpo.txt"


@pytest.mark.llm
def test_cli_json_one_party(example_path, example_article):
    result = runner.invoke(app, ["stance", str(example_path), "--party", "Scissors", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [p["name"] for p in data["parties"]] == ["Derek Scissors"]
    scissors = data["parties"][0]
    assert scissors["analysed"] is True
    assert {q["id"] for q in scissors["quotes"]} >= {"S9", "S10", "S12", "S13"}
    assert scissors["claims_by_others"] == []
    assert set(data) >= {"central_issue", "parties", "disagreements", "usage"}
    assert data["usage"]["calls"] >= 2
    _check_result(data, example_article)


@pytest.mark.llm
def test_second_article_two_parties(llm):
    from newsdesk.tasks.stance import analyse_stance

    article = load_article(CHENEY)
    result = analyse_stance(article, llm, max_parties=2)
    data = result.to_dict()
    _check_result(data, article)
    names = [p["name"] for p in data["parties"]]
    assert "Mary Cheney" in names and "Liz Cheney" in names
    mary = next(p for p in data["parties"] if p["name"] == "Mary Cheney")
    assert any("dead wrong" in q["text"] for q in mary["quotes"])
