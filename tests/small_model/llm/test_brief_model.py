"""One real brief on the embedded 270M model: JSON and two articles (split from
tests/nomodel/llm/test_brief.py)."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest

from tests.nomodel.llm.test_brief import run


@pytest.fixture(scope="module")
def briefed(tmp_path_factory, example_path):  # type: ignore[no-untyped-def]
    """One real brief of the example article (the model runs once; later formats hit the cache)."""
    out = tmp_path_factory.mktemp("brief")
    r = run("brief", str(example_path), "-o", str(out / "b.json"))
    assert r.exit_code == 0, r.output
    return out


VOID = {"meta", "link", "br", "hr", "img", "input", "col", "area", "base", "wbr", "source"}


class Structure(HTMLParser):
    """Checks that tags balance and collects what could load or run something."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.scripts = 0
        self.handlers: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        for name, value in attrs:
            if name == "id":
                self.ids.add(value or "")
            if name == "href":
                self.hrefs.append(value or "")
            if name == "src":
                self.srcs.append(value or "")
            if name.startswith("on"):
                self.handlers.append(name)
        if tag == "script":
            self.scripts += 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()


def check_html(page: str) -> Structure:
    assert page.lstrip().lower().startswith("<!doctype html>")
    p = Structure()
    p.feed(page)
    p.close()
    assert not p.errors, p.errors[:5]
    assert p.stack == [], p.stack
    assert p.scripts == 0 and not p.handlers
    for url in p.hrefs + p.srcs:
        assert not url.lower().startswith(("http:", "https:", "//", "javascript:")), url
    for href in p.hrefs:  # every citation link lands on a sentence of the page
        assert href.startswith("#") and href[1:] in p.ids, href
    return p


@pytest.mark.llm
def test_real_brief_json_validates_and_citations_exist(briefed, example_article):
    import jsonschema

    from newsdesk.tasks.brief.render import briefing_json_schema, validate_briefing

    data = json.loads((briefed / "b.json").read_text())
    jsonschema.validate(data, briefing_json_schema())
    validate_briefing(data)
    art = data["articles"][0]
    assert art["key_points"] and len(art["questions"]) == 3 and art["parties"]
    statements = [
        art["headline"],
        *art["key_points"],
        *art["disagreements"],
        *art["unknowns"],
        *art["questions"],
        *(p["position"] for p in art["parties"]),
    ]
    cited = 0
    for st in statements:
        assert st["text"].strip()
        for c in st["citations"]:
            s = example_article.by_id[c["id"]]  # KeyError = an invented citation
            assert c["text"] == s.text and (c["start"], c["end"]) == (s.start, s.end)
            cited += 1
    assert cited >= 5
    for p in art["parties"]:
        assert any(alias in example_article.text for alias in p["aliases"])
    assert data["usage"]["calls"] >= 3


@pytest.mark.llm
def test_real_brief_of_two_articles_has_sections_and_synthesis(briefed, example_path):
    # The same article twice: its three calls come from the cache; only the synthesis is new.
    page = briefed / "two.html"
    r = run("brief", str(example_path), str(example_path), "-o", str(page), "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert [a["index"] for a in data["articles"]] == [1, 2]
    assert data["synthesis"] is not None
    synthesis = data["synthesis"]["points"] + data["synthesis"]["shared_parties"]
    assert synthesis
    for st in synthesis:
        assert {c["article"] for c in st["citations"]} <= {1, 2}
    parsed = check_html(page.read_text(encoding="utf-8"))
    assert {"a1-S1", "a2-S1", "synthesis"} <= parsed.ids
