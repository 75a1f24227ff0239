"""`newsdesk brief`: grounding, rendering (Markdown, HTML, JSON), safety, and one real-model run."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsdesk.article import Article, parse_article
from newsdesk.cli.app import app
from newsdesk.grounding import ground
from newsdesk.tasks.brief import (
    Briefing,
    ClaimOut,
    DebateOut,
    PartiesOut,
    PartyOut,
    PointOut,
    PointsOut,
    Ref,
    SynthesisOut,
    build_prompts,
    find_unknowns,
    interpret_article,
    interpret_debate,
    interpret_parties,
    interpret_points,
    interpret_synthesis,
    party_candidates,
)

runner = CliRunner()
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
VOID = {"meta", "link", "br", "hr", "img", "input", "col", "area", "base", "wbr", "source"}
HOSTILE = (
    "Officials said the <script>document.body.setAttribute('data-pwned','1')</script> plan "
    "would pass.\n\n"
    "A source said <img src=x onerror=\"document.body.setAttribute('data-pwned','1')\"> "
    "nothing was agreed.\n\n"
    'Click <a href="javascript:alert(1)">here</a> or [see](http://evil.example/x.png) '
    "for **more** [S9].\n\n"
    "The ministry denied the report.\n"
)


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


def rule_brief(article: Article) -> Briefing:
    """A briefing built without a model (every model output missing)."""
    shown = [s.id for s in article.sentences]
    b = interpret_article(article, party_candidates(article), shown)
    return Briefing(articles=[b], synthesis=None, model="test")


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


def screenshot(page: Path, tmp_path: Path) -> Path:
    png = tmp_path / "shot.png"
    subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={png}",
            "--window-size=1200,1600",
            page.resolve().as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return png


# ---------------------------------------------------------------- pure parts


def test_grounding_rejects_invented_and_copied_text(example_article):
    art = example_article
    assert ground("The US demands that China protect intellectual property.", ["S7"], art).supported
    assert not ground("China's talks are a win for China's interests.", ["S7"], art).supported
    out = PointsOut(
        headline="Council passes budget as union threatens strike",
        points=[
            PointOut(cites=["S7"], text="The US demands China protect intellectual property."),
            PointOut(cites=["S2"], text="The mayor said taxes would not rise."),  # copied
            PointOut(cites=["S99"], text="Invented."),
        ],
    )
    rejected: list[str] = []
    shown = [s.id for s in art.sentences]
    headline, points = interpret_points(out, art, shown, 1, rejected)
    assert headline.origin == "extract" and "Council" not in headline.text
    by_origin = {p.citations[0].id: p.origin for p in points}
    assert by_origin["S7"] == "model"
    assert by_origin["S2"] == "extract"  # the model's text failed: the sentence itself
    assert all(p.citations[0].id in art.by_id for p in points)
    assert "The mayor said taxes would not rise." in rejected


def test_parties_positions_are_checked_and_unknowns_found(example_article):
    art = example_article
    cands = party_candidates(art)
    names = {c.name for c in cands}
    assert {"Donald Trump", "Xi Jinping"} <= names
    shown = [s.id for s in art.sentences]
    out = PartiesOut(
        parties=[
            PartyOut(name="Donald Trump", position="Backs the budget.", cites=["S3"]),
        ]
    )
    views = interpret_parties(out, cands, art, shown, 1, rejected := [])
    trump = next(v for v in views if v.name == "Donald Trump")
    assert trump.position.origin == "extract" and "Backs the budget." in rejected
    for v in views:  # every party name occurs in the article, every position cites it
        assert v.name.split()[-1] in art.text
        assert v.position.citations
    unknowns = find_unknowns(art, cands, 1)
    kinds = {u.kind for u in unknowns}
    assert "anonymous source" in kinds and len(kinds) >= 2
    assert any(u.statement.citations[0].id == "S15" for u in unknowns)  # three sources...


def test_questions_and_disagreements_fall_back_to_rules(example_article):
    art = example_article
    shown = [s.id for s in art.sentences]
    out = DebateOut(
        disagreements=[{"text": "The mayor's office denies it.", "cites": ["S5", "S6"]}],
        questions=["Will the state withhold the $20 million grant?", "What did Xi agree to?"],
    )
    views = interpret_parties(None, party_candidates(art), art, shown, 1, [])
    unknowns = find_unknowns(art, party_candidates(art), 1)
    dis, qs = interpret_debate(out, art, shown, 1, views, unknowns, [])
    assert len(qs) == 3 and all(q.text.endswith("?") for q in qs)
    assert "What did Xi agree to?" in [q.text for q in qs]
    assert not any("grant" in q.text for q in qs)
    assert dis and all(d.origin == "rule" for d in dis)
    assert any(d.citations[0].id == "S14" for d in dis)  # "different ideas of what ... agreed"


def test_calls_share_the_article_prefix(example_article):
    _, _, prompts = build_prompts(example_article, 1200)
    assert len({p.messages[0]["content"] for p in prompts}) == 1  # one system turn for all
    texts = [p.messages[-1]["content"] for p in prompts]
    assert [p.name for p in prompts] == ["points", "parties", "debate"]
    end = texts[0].index("</article>", texts[0].index("[S1] WASHINGTON")) + len("</article>")
    assert all(t[:end] == texts[0][:end] for t in texts)
    assert all(len(t) - end < 400 for t in texts)  # only a short task line differs


def test_hostile_article_html_is_inert(tmp_path):
    art = parse_article(HOSTILE, "hostile.txt")
    page = tmp_path / "hostile.html"
    from newsdesk.tasks.brief.render import render_html, render_markdown

    page.write_text(render_html(rule_brief(art)), encoding="utf-8")
    html = page.read_text()
    check_html(html)
    assert "&lt;script&gt;" in html and "Content-Security-Policy" in html
    from markdown_it import MarkdownIt

    md = render_markdown(rule_brief(art))
    as_html = MarkdownIt("commonmark").render(md)  # raw HTML and links allowed, as on GitHub
    assert "&lt;script&gt;" in as_html
    for bad in ("<script", "<img", "<a ", ' href="', "<strong>more"):
        assert bad not in as_html, bad
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    dom = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'p'}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "<body>" in dom and 'data-pwned="1"' not in dom  # nothing in the page ran


def test_atomic_write_replaces_and_leaves_no_temp(tmp_path):
    from newsdesk.atomic import write_atomic
    from newsdesk.errors import InputError

    target = tmp_path / "out.md"
    write_atomic(target, "one")
    write_atomic(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in tmp_path.iterdir()] == ["out.md"]
    with pytest.raises(InputError):
        write_atomic(tmp_path / "missing" / "x.md", "x")


@pytest.mark.parametrize(
    ("out", "expected"),
    [("brief.txt", "unknown suffix"), ("nodir/brief.md", "does not exist")],
)
def test_bad_output_is_one_line_error_before_any_call(example_path, tmp_path, out, expected):
    target = str(tmp_path / out)
    # An unreachable endpoint proves no call is made: a call would fail with exit 3.
    r = run("brief", str(example_path), "-o", target, "--base-url", "http://127.0.0.1:9/v1")
    assert r.exit_code == 2, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0]


def test_missing_article_is_one_line_error(tmp_path):
    r = run("brief", str(tmp_path / "nope.txt"), "--base-url", "http://127.0.0.1:9/v1")
    assert r.exit_code == 2 and "no such file" in r.output and "Traceback" not in r.output


def test_dry_run_shows_every_prompt(example_path):
    r = run("brief", str(example_path), "--dry-run", "--base-url", "http://127.0.0.1:9/v1")
    assert r.exit_code == 0, r.output
    assert r.output.count("prompt tokens (tiktoken)") == 3
    assert r.output.count("[S16] One of the sources said") == 3


# ---------------------------------------------------------------- the real model


@pytest.fixture(scope="module")
def briefed(tmp_path_factory, example_path):  # type: ignore[no-untyped-def]
    """One real brief of the example article (the model runs once; later formats hit the cache)."""
    out = tmp_path_factory.mktemp("brief")
    r = run("brief", str(example_path), "-o", str(out / "b.json"))
    assert r.exit_code == 0, r.output
    return out


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
def test_real_brief_html_markdown_and_terminal(briefed, example_path, example_article, tmp_path):
    page = briefed / "b.html"
    r = run("brief", str(example_path), "-o", str(page))
    assert r.exit_code == 0, r.output
    html = page.read_text(encoding="utf-8")
    parsed = check_html(html)
    assert "http://" not in html and "https://" not in html  # no external URL at all
    assert {s.id for s in example_article.sentences} <= parsed.ids  # the article text is shown
    assert any(h.startswith("#S") for h in parsed.hrefs)

    md_path = briefed / "b.md"
    r = run("brief", str(example_path), "-o", str(md_path))
    assert r.exit_code == 0, r.output
    md = md_path.read_text()
    for heading in ("Key points", "Who is who", "Unknown or unconfirmed", "Questions to ask next"):
        assert heading in md
    import re

    labels = set(re.findall(r"\\\[(S\d+)", md))
    assert labels and labels <= set(example_article.by_id)
    from rich.console import Console
    from rich.markdown import Markdown

    console = Console(record=True, width=100)
    console.print(Markdown(md))
    shown = console.export_text()
    assert "Key points" in shown and "\\[" not in shown and "[S" in shown

    r = run("brief", str(example_path))  # no -o: Markdown rendered to the terminal
    assert r.exit_code == 0 and "Questions to ask next" in r.output

    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    png = screenshot(page, tmp_path)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a rendered, non-blank page


@pytest.mark.llm
def test_real_brief_of_two_articles_has_sections_and_synthesis(briefed, example_path):
    # The same article twice: its three calls come from the cache; only the synthesis is new.
    page = briefed / "two.html"
    r = run("brief", str(example_path), str(example_path), "-o", str(page), "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert [a["index"] for a in data["articles"]] == [1, 2]
    assert data["synthesis"] is not None
    for st in data["synthesis"]["points"] + data["synthesis"]["shared_parties"]:
        assert {c["article"] for c in st["citations"]} <= {1, 2}
    parsed = check_html(page.read_text(encoding="utf-8"))
    assert {"a1-S1", "a2-S1", "synthesis"} <= parsed.ids


def test_salvage_keeps_the_complete_part_of_a_cut_off_answer():
    from newsdesk.llm.salvage import salvage_json

    cut = '{"headline": "X", "points": [{"cites": ["S1"], "text": "A"}, {"cites": ["S2"], "te'
    assert salvage_json(cut) == {"headline": "X", "points": [{"cites": ["S1"], "text": "A"}]}
    assert salvage_json('{"headline": "X') is None
    assert salvage_json('{"a": 1}') == {"a": 1}


def test_points_are_re_cited_or_replaced_by_the_articles_words(example_article):
    art = example_article
    shown = [s.id for s in art.sentences]
    out = PointsOut(
        headline="US and China to relaunch trade talks",
        points=[
            # S7's words cited as S18: printed citing S7
            PointOut(cites=["S18"], text="The US is demanding sweeping policy changes from China."),
            # European cars are in no sentence: S2, which holds the rest, replaces it
            PointOut(cites=["S5"], text="Trump agreed to suspend tariffs on European cars."),
        ],
    )
    rejected: list[str] = []
    headline, points = interpret_points(out, art, shown, 1, rejected)
    by_id = {p.citations[0].id: p for p in points}
    assert by_id["S7"].origin == "model" and by_id["S7"].text.startswith("The US is demanding")
    assert by_id["S2"].origin == "extract" and by_id["S2"].text == art.by_id["S2"].text
    assert "S18" not in by_id and "S5" not in by_id
    assert rejected == ["Trump agreed to suspend tariffs on European cars."]
    assert headline.origin == "model" and [c.id for c in headline.citations] == ["S1"]


def test_synthesis_points_pass_the_same_check(example_article):
    art = example_article
    lines = {
        f"A{n}:{sid}": Ref(
            article=n,
            id=sid,
            text=art.by_id[sid].text,
            start=art.by_id[sid].start,
            end=art.by_id[sid].end,
        )
        for n, sid in ((1, "S7"), (2, "S16"))
    }
    out = SynthesisOut(
        points=[
            ClaimOut(
                text="The US is demanding China protect intellectual property.", cites=["A2:S16"]
            ),
            ClaimOut(text="Both articles say the talks collapsed.", cites=["A1:S7", "A2:S16"]),
        ]
    )
    synthesis = interpret_synthesis(out, lines, [])
    assert [[c.label(True) for c in p.citations] for p in synthesis.points] == [["A1:S7"]]


def _ids(ids: list[str], max_items: int) -> dict:
    return {"type": "array", "items": {"type": "string", "enum": ids}, "maxItems": max_items}


def test_schemas_sent_to_the_model_are_these_dicts():
    """The regression guard for what llama.cpp's grammar receives: written out in full."""
    from newsdesk.tasks.brief import synthesis_prompt
    from newsdesk.tasks.brief.results import Statement

    art = parse_article(
        "Mayor Jane Roe said the plan would pass.\n\nThe transit union said it would strike.", "t"
    )
    _, _, prompts = build_prompts(art, 1200)
    schemas = {p.name: p.schema for p in prompts}
    closed = {"additionalProperties": False}
    assert schemas["points"] == {
        "type": "object",
        "properties": {
            "headline": {"type": "string"},
            "points": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"cites": _ids(["S1", "S2"], 2), "text": {"type": "string"}},
                    "required": ["cites", "text"],
                    **closed,
                },
                "minItems": 1,
                "maxItems": 4,
            },
        },
        "required": ["headline", "points"],
        **closed,
    }
    assert schemas["parties"] == {
        "type": "object",
        "properties": {
            "parties": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "enum": ["Jane Roe"]},
                        "position": {"type": "string"},
                        "cites": _ids(["S1", "S2"], 2),
                    },
                    "required": ["name", "position", "cites"],
                    **closed,
                },
                "maxItems": 1,
            }
        },
        "required": ["parties"],
        **closed,
    }
    claim = {
        "type": "object",
        "properties": {"text": {"type": "string"}, "cites": _ids(["S1", "S2"], 3)},
        "required": ["text", "cites"],
        **closed,
    }
    assert schemas["debate"] == {
        "type": "object",
        "properties": {
            "disagreements": {"type": "array", "items": claim, "maxItems": 2},
            "questions": {
                "type": "array",
                "items": {"type": "string"},
                "minItems": 3,
                "maxItems": 3,
            },
        },
        "required": ["disagreements", "questions"],
        **closed,
    }
    # field order is the order the model writes in
    assert list(schemas["points"]["properties"]["points"]["items"]["properties"]) == [
        "cites",
        "text",
    ]
    one = rule_brief(art).articles[0]
    two = one.model_copy(update={"index": 2, "headline": Statement(text="x", citations=[])})
    two.points = [
        Statement(text=p.text, citations=[c.model_copy(update={"article": 2}) for c in p.citations])
        for p in one.points
    ]
    prompt, lines = synthesis_prompt([one, two])
    assert list(lines) == ["A1:S1", "A1:S2", "A2:S1", "A2:S2"]
    assert prompt.name == "synthesis" and prompt.messages[0]["role"] == "user"
    assert prompt.schema == {
        "type": "object",
        "properties": {
            "points": {
                "type": "array",
                "items": {
                    **claim,
                    "properties": {"text": {"type": "string"}, "cites": _ids(list(lines), 3)},
                },
                "minItems": 1,
                "maxItems": 3,
            }
        },
        "required": ["points"],
        **closed,
    }


def test_printed_briefing_follows_its_schema_and_reads_back(example_article):
    import jsonschema
    import pydantic

    from newsdesk.tasks.brief.render import briefing_json_schema, render_json, validate_briefing

    data = json.loads(render_json(rule_brief(example_article)))
    assert data["schema"] == "newsdesk.brief/1"
    assert {"key_points", "shown_ids", "rejected_statements"} <= set(data["articles"][0])
    first = data["articles"][0]["sentences"][0]
    assert set(first) == {"id", "text", "start", "end", "source", "paragraph"}
    assert first["source"]["kind"] == "narration"  # "WASHINGTON/NEW YORK • The US and China ..."
    assert list(data["articles"][0]["unknowns"][0]) == ["kind", "text", "origin", "citations"]
    schema = briefing_json_schema()
    jsonschema.validate(data, schema)
    assert validate_briefing(data).to_dict() == data
    data["articles"][0]["headline"]["extra"] = 1  # an unknown key: rejected by both
    with pytest.raises(pydantic.ValidationError):
        validate_briefing(data)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_a_variant_template_replaces_the_first_call_only(example_article, tmp_path):
    variant = tmp_path / "brief-terse.j2"
    variant.write_text("{% for s in sentences %}[{{ s.id }}] {{ s.text }}\n{% endfor %}Points:")
    _, _, default = build_prompts(example_article, 1200)
    _, _, prompts = build_prompts(example_article, 1200, template=str(variant))
    assert [p.name for p in prompts] == ["points", "parties", "debate"]
    assert prompts[0].messages == [
        {
            "role": "user",
            "content": "\n".join(f"[{s.id}] {s.text}" for s in example_article.sentences)
            + "\nPoints:",
        }
    ]
    assert prompts[0].schema == default[0].schema
    assert [p.messages for p in prompts[1:]] == [p.messages for p in default[1:]]


def test_unusable_answers_become_notes_and_a_cut_off_one_keeps_its_items(example_article):
    from newsdesk.config import load_settings
    from newsdesk.llm.client import LLMClient
    from newsdesk.tasks.brief import brief
    from newsdesk.testing import Reply, ScriptedServer, completion

    point = {"cites": ["S7"], "text": "The US demands that China protect intellectual property."}
    cut = json.dumps({"headline": "x", "points": [point, point]})[:-40]
    with ScriptedServer(Reply(body=completion("not json"))) as srv:
        srv.script(Reply(body=completion(cut, finish_reason="length")))
        llm = LLMClient(load_settings(base_url=srv.url, model="m", use_cache=False, env_file=""))
        b = brief([example_article], llm).articles[0]
    assert b.notes == [
        "points: the model's answer was cut off at the token limit",
        "parties: the model's answer was invalid (not valid JSON (Expecting value at char 0)); "
        "shown from the article by rule instead",
        "debate: the model's answer was invalid (not valid JSON (Expecting value at char 0)); "
        "shown from the article by rule instead",
        # the kept point was sent to be read too, and the reply was junk: lexical check only
        "entailment not checked: not valid JSON (Expecting value at char 0)",
    ]
    assert [(p.text, p.origin) for p in b.points if p.citations[0].id == "S7"] == [
        (point["text"], "model")
    ]
    assert all(p.position.origin == "extract" for p in b.parties)
    assert b.usage.calls == 5  # points, parties, debate; the point's reading, re-asked once
