"""`newsdesk brief`: grounding, rendering (Markdown, HTML, JSON), safety, and one real-model run."""

from __future__ import annotations

import json

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


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


def rule_brief(article: Article) -> Briefing:
    """A briefing built without a model (every model output missing)."""
    shown = [s.id for s in article.sentences]
    b = interpret_article(article, party_candidates(article), shown)
    return Briefing(articles=[b], synthesis=None, model="test")


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
