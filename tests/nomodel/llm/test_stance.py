"""`stance`: deterministic parts without a model, then the real embedded model (marked llm)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from newsdesk.article import load_article
from newsdesk.cli.app import app
from newsdesk.config import Settings
from newsdesk.errors import InputError
from newsdesk.llm.client import LLMClient
from newsdesk.parties import analyse_parties
from newsdesk.tasks.stance import (
    analyse_stance,
    find_disagreements,
    merge_proposals,
    own_position,
    select_parties,
)
from newsdesk.testing import Reply, ScriptedServer, completion
from tests.helpers.paths import DATA

runner = CliRunner()
UNREACHABLE = "http://127.0.0.1:9/v1"


def index_of(pm, name):  # type: ignore[no-untyped-def]
    return next(i for i, c in enumerate(pm.candidates) if c.name == name)


def test_osaka_disagreement_is_found_with_both_sides(example_article):
    pm = analyse_parties(example_article)
    chosen = [
        index_of(pm, "Donald Trump"),
        index_of(pm, "Three sources familiar with the state of negotiations"),
    ]
    found = find_disagreements(example_article, pm, chosen)
    assert len(found) == 1
    d = found[0]
    sides = {s.party: s.evidence for s in d.sides}
    assert sides["Donald Trump"] == ["S3"]  # China would restart large purchases
    assert "S15" in sides["Three sources familiar with the state of negotiations"]  # did not
    assert "S14" in d.context  # "different ideas of what the two leaders agreed"
    assert "agricultural" in d.topic


def test_no_disagreement_between_parties_that_do_not_speak(example_article):
    pm = analyse_parties(example_article)
    assert find_disagreements(example_article, pm, [index_of(pm, "Xi Jinping")]) == []


def test_own_position_uses_the_articles_words(example_article):
    pm = analyse_parties(example_article)
    trump = pm.candidates[index_of(pm, "Donald Trump")]
    pos = own_position(example_article, trump, [])
    assert pos.startswith("China would restart large purchases")
    xi = pm.candidates[index_of(pm, "Xi Jinping")]
    assert "agreed to consider purchases" in own_position(example_article, xi, [])


def _scripted(positions: dict[str, tuple[str, list[str]]]):  # type: ignore[no-untyped-def]
    """A responder playing the model: the overview, then each party's given position."""

    def respond(request):  # type: ignore[no-untyped-def]
        fmt = request["response_format"]["json_schema"]
        prompt = request["messages"][-1]["content"]
        if fmt["name"] == "overview":
            body = {"issue": "US-China trade talks", "parties": []}
        elif fmt["name"] == "parties":  # an instruct model's one call for every party
            listed = fmt["schema"]["properties"]["parties"]["items"]["properties"]["name"]["enum"]
            given = [(n, p) for n in listed for p in positions if p in n]
            body = {
                "issue": "US-China trade talks",
                "parties": [
                    {
                        "name": n,
                        "position": positions[p][0],
                        "stance": "mixed",
                        "evidence": positions[p][1],
                    }
                    for n, p in given
                ],
                "others": [],
            }
        elif fmt["name"] == "party":
            party = next(name for name in positions if name in prompt)
            text, ids = positions[party]
            body = {"role": "", "position": text, "stance": "mixed", "evidence": ids}
        else:
            body = {"topic": "agricultural purchases"}
        return Reply(body=completion(json.dumps(body)))

    return respond


def test_model_positions_are_grounded_and_re_cited(example_article, tmp_path):
    """The issue's miscitations: a position in S9's words cited as [S10] is printed citing S9;
    an invented position is not printed (the party's own words and sentence stand)."""
    positions = {
        "Scissors": ("We've had a change in atmospherics", ["S10"]),
        "Trump": ("Trump opposes the closure because customers would drive more", ["S3"]),
    }
    with ScriptedServer(responder=_scripted(positions)) as server:
        settings = Settings(base_url=server.url, api_key="k", model="scripted", cache_dir=tmp_path)
        llm = LLMClient(settings)
        scissors = analyse_stance(example_article, llm, party="Scissors").parties[0]
        trump_result = analyse_stance(example_article, llm, party="Donald Trump")
    assert scissors.position == "We've had a change in atmospherics"
    assert [c.id for c in scissors.evidence] == ["S9"]
    trump = trump_result.parties[0]
    assert trump_result.ungrounded == 1
    assert trump.position.startswith("China would restart large purchases")  # its own words
    assert [c.id for c in trump.evidence] == ["S3"]  # ...with their own sentence


def test_model_names_not_in_the_article_are_rejected(example_article):
    pm = analyse_parties(example_article)
    before = len(pm.candidates)
    kept, rejected, confirmed = merge_proposals(
        example_article, pm, ["Ana Ruiz", "mr trump", "Chinese telecommunications equipment giant"]
    )
    assert rejected == ["Ana Ruiz"]
    assert "Mr Trump" in kept  # the article's own spelling
    assert index_of(pm, "Donald Trump") in confirmed
    added = pm.candidates[before:]
    assert [c.name for c in added] == ["Chinese telecommunications equipment giant"]
    assert added[0].sentence_ids == ["S3"]


def test_party_filter(example_article):
    pm = analyse_parties(example_article)
    assert select_parties(pm, set(), 6, "scissors") == [index_of(pm, "Derek Scissors")]
    with pytest.raises(InputError, match="no party matching"):
        select_parties(pm, set(), 6, "Angela Merkel")
    assert len(select_parties(pm, set(), 3, None)) == 3


def test_dry_run_calls_nothing(example_path):
    result = runner.invoke(
        app, ["stance", str(example_path), "--dry-run", "--base-url", UNREACHABLE]
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("prompt tokens (tiktoken)") == 1  # every party in one call
    assert "- Donald Trump (also:" in result.output
    assert "- Claire Reade" in result.output  # quoted directly: always analysed
    assert result.output.index("[S1]") < result.output.rindex("Reply in JSON")


def test_dry_run_small_model_calls_per_party(example_path):
    result = runner.invoke(
        app, ["stance", str(example_path), "--dry-run", "--model", "gemma-3-270m"]
    )
    assert result.exit_code == 0, result.output
    # the 270M base model: an overview, then one call per party (6, plus the quoted ones)
    assert result.output.count("prompt tokens (tiktoken)") >= 7
    assert "Party: Donald Trump" in result.output and "Party: Claire Reade" in result.output
    assert result.output.index("[S1]") < result.output.rindex("JSON:")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--party", "Angela Merkel"], "no party matching 'Angela Merkel'"),
        (["--max-parties", "0"], "max-parties"),
    ],
)
def test_bad_options_are_one_line_errors(example_path, args, expected):
    result = runner.invoke(app, ["stance", str(example_path), *args, "--base-url", UNREACHABLE])
    assert result.exit_code == 2
    assert expected in result.output
    assert "Traceback" not in result.output


def test_missing_file_is_one_line_error(tmp_path):
    result = runner.invoke(app, ["stance", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1


# ---------------------------------------------------------------- the real model


@pytest.mark.parametrize("name", ["us-china", "newsqa-pandher.txt", "basil-cheney-hpo.txt"])
def test_every_rule_found_position_passes_the_grounding_check(name, example_article):
    """What a reader sees without a model: each position is checked against the evidence
    printed with it; words with nothing checkable in them are not printed as a position."""
    from newsdesk.grounding import ground
    from newsdesk.parties import quoted_spans
    from newsdesk.tasks.stance import base_party

    data = DATA
    article = example_article if name == "us-china" else load_article(data / name)
    pm = analyse_parties(article)
    spans = quoted_spans(article)
    printed = 0
    for i in range(len(pm.candidates)):
        p = base_party(article, i, pm, spans)
        if p.position:
            printed += 1
            ids = [c.id for c in p.evidence]
            assert ground(p.position, ids, article, ignore=p.name).supported, (p.name, ids)
    assert printed >= 2


def test_one_call_positions_cite_only_the_partys_own_sentences(example_article, tmp_path):
    """A position in another party's words is not cited to that party's sentence: Reade's
    'position' in Scissors' words (S11) stays Reade's own words, cited to her sentence."""
    positions = {
        "Claire Reade": ("both sides got what they wanted out of the Summit", ["S11"]),
        "Derek Scissors": ("both sides got what they wanted out of the Summit", ["S19"]),
    }
    with ScriptedServer(responder=_scripted(positions)) as server:
        settings = Settings(base_url=server.url, api_key="k", model="scripted", cache_dir=tmp_path)
        result = analyse_stance(example_article, LLMClient(settings))
    by_name = {p.name: p for p in result.parties}
    reade, scissors = by_name["Claire Reade"], by_name["Derek Scissors"]
    assert [c.id for c in scissors.evidence] == ["S11"]  # his words, re-cited to his sentence
    assert "S11" not in [c.id for c in reade.evidence]
    assert set(c.id for c in reade.evidence) <= {"S19", "S20", "S21"}


# ---------------------------------------------------------------- the contract


def test_schemas_are_generated_from_the_output_models():
    """The schemas sent to the model, generated from the pydantic outputs and each prompt's
    limits: the same dicts the hand-written schemas were."""
    from newsdesk.tasks.stance.outputs import (
        overview_schema,
        parties_schema,
        party_schema,
        topic_schema,
    )

    stances = ["supports", "opposes", "mixed", "neutral", "unclear"]
    assert overview_schema() == {
        "type": "object",
        "properties": {
            "issue": {"type": "string"},
            "parties": {"type": "array", "items": {"type": "string"}, "maxItems": 8},
        },
        "required": ["issue", "parties"],
        "additionalProperties": False,
    }
    party = {
        "type": "object",
        "properties": {
            "role": {"type": "string"},
            "position": {"type": "string"},
            "stance": {"type": "string", "enum": stances},
            "evidence": {
                "type": "array",
                "items": {"type": "string", "enum": ["S1", "S3"]},
                "maxItems": 3,
            },
        },
        "required": ["role", "position", "stance", "evidence"],
        "additionalProperties": False,
    }
    assert party_schema(["S1", "S3"]) == party
    assert list(party_schema(["S1"])["properties"]) == ["role", "position", "stance", "evidence"]
    assert parties_schema(["S1", "S3"], ["Donald Trump", "Xi Jinping"]) == {
        "type": "object",
        "properties": {
            "issue": {"type": "string"},
            "parties": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "enum": ["Donald Trump", "Xi Jinping"]},
                        "position": {"type": "string"},
                        "stance": {"type": "string", "enum": stances},
                        "evidence": {
                            "type": "array",
                            "items": {"type": "string", "enum": ["S1", "S3"]},
                            "maxItems": 3,
                        },
                    },
                    "required": ["name", "position", "stance", "evidence"],
                    "additionalProperties": False,
                },
                "maxItems": 2,
            },
            "others": {"type": "array", "items": {"type": "string"}, "maxItems": 8},
        },
        "required": ["issue", "parties", "others"],
        "additionalProperties": False,
    }
    # no party listed: any name, none expected
    empty = parties_schema([], [])["properties"]["parties"]
    assert empty["maxItems"] == 0 and empty["items"]["properties"]["name"] == {"type": "string"}
    assert empty["items"]["properties"]["evidence"]["items"] == {"type": "string", "enum": []}
    assert topic_schema() == {
        "type": "object",
        "properties": {"topic": {"type": "string"}},
        "required": ["topic"],
        "additionalProperties": False,
    }


def test_result_json_keeps_its_printed_names_and_order():
    from newsdesk.citations import Citation
    from newsdesk.tasks.stance import Claim, Disagreement, Party, Quote, Side, StanceResult

    party = Party(
        name="Derek Scissors",
        aliases=["Derek Scissors", "Scissors"],
        kind="person",
        quotes=[Quote(id="S9", text="We've had a change", start=10, end=28)],
        claims_by_others=[Claim(id="S4", text="Scissors erred.", by="Xi Jinping")],
        evidence=[Citation(id="S9", text="We've had a change.", start=9, end=29)],
        sentence_ids=["S4", "S9"],
        source="both",
    )
    result = StanceResult(
        central_issue="trade",
        parties=[party],
        disagreements=[
            Disagreement(topic="tariffs", sides=[Side(party="A", evidence=["S1"])], context=["S2"])
        ],
        ungrounded=1,
        dropped=["S99"],
    )
    data = result.to_dict()
    assert list(data) == [
        "central_issue",
        "parties",
        "disagreements",
        "other_parties",
        "model_proposed",
        "model_rejected",
        "failures",
        "ungrounded_positions",
        "dropped_citations",
        "notes",
    ]
    expected = {
        "name": "Derek Scissors",
        "aliases": ["Derek Scissors", "Scissors"],
        "kind": "person",
        "role": "",
        "position": "",
        "position_supported": True,
        "stance": "unclear",
        "quotes": [{"id": "S9", "text": "We've had a change", "start": 10, "end": 28}],
        "claims_by_others": [{"id": "S4", "text": "Scissors erred.", "by": "Xi Jinping"}],
        "evidence": [
            {
                "id": "S9",
                "text": "We've had a change.",
                "start": 9,
                "end": 29,
                "source": {
                    "kind": "narration",
                    "party": "",
                    "said_as": "",
                    "label": "the reporter",
                },
            }
        ],
        "sentence_ids": ["S4", "S9"],
        "analysed": False,
        "found_by": "both",
        "checks": [],
    }
    assert list(data["parties"][0].items()) == list(expected.items())  # names, values, order
    assert data["disagreements"] == [
        {"topic": "tariffs", "sides": [{"party": "A", "evidence": ["S1"]}], "context": ["S2"]}
    ]
    assert (data["ungrounded_positions"], data["dropped_citations"]) == (1, ["S99"])


def test_task_runs_through_the_contract(example_article, tmp_path):
    """`TASK` (what `newsdesk eval` runs): the result as JSON, the analysed and other parties,
    the analysed parties' evidence once each in article order; `max_parties` read from vars."""
    from newsdesk.tasks.registry import get_task
    from newsdesk.tasks.stance import TASK

    assert get_task("stance") is TASK
    assert (TASK.name, TASK.variables, TASK.required) == ("stance", ("party", "max_parties"), ())
    positions = {"Scissors": ("We've had a change in atmospherics", ["S10", "S999"])}
    with ScriptedServer(responder=_scripted(positions)) as server:
        settings = Settings(base_url=server.url, api_key="k", model="scripted", cache_dir=tmp_path)
        out = TASK.run(example_article, LLMClient(settings), {"max_parties": 2})
        direct = analyse_stance(example_article, LLMClient(settings), max_parties=2)
    assert out.result == direct.to_dict() and json.loads(out.output) == out.result
    assert out.article is example_article and out.abstained is None
    assert [p["name"] for p in out.parties or []] == [
        p.name for p in [*direct.parties, *direct.others]
    ]
    ids = [c.id for c in out.citations]
    assert ids == sorted(
        {c.id for p in direct.parties for c in p.evidence}, key=lambda i: int(i[1:])
    )
    assert "S9" in ids  # Scissors' position, re-cited to its sentence
    assert out.dropped == out.invalid == direct.dropped


def test_task_prompts_and_a_variant_template(example_article, tmp_path):
    """`TASK.prompts` is what --dry-run prints; a variant replaces the positions call only."""
    from newsdesk.prompts import prompts_dir
    from newsdesk.tasks.stance import TASK, dry_run_prompts

    variant = tmp_path / "stance-variant.j2"
    variant.write_text((prompts_dir() / "stance_parties.j2").read_text() + "VARIANT LINE\n")
    settings = Settings(base_url=UNREACHABLE, api_key="k", model="scripted")
    prompts = TASK.prompts(example_article, settings, {"party": "Scissors"})
    same = dry_run_prompts(example_article, settings.article_budget, "scripted", "Scissors", 6)
    assert [p.messages for p in prompts] == [p.messages for p in same]
    assert [p.name for p in prompts] == ["parties"]
    varied = TASK.prompts(example_article, settings, {}, str(variant))
    assert "VARIANT LINE" in varied[0].messages[-1]["content"]
    assert "VARIANT LINE" not in prompts[0].messages[-1]["content"]
    small = Settings(model="gemma-3-270m")
    party_variant = tmp_path / "party-variant.j2"
    party_variant.write_text((prompts_dir() / "stance_party.j2").read_text() + " VARIANT")
    calls = TASK.prompts(example_article, small, {"max_parties": 1}, str(party_variant))
    assert [p.name for p in calls][:2] == ["overview", "party"]
    assert "VARIANT" not in calls[0].text and all("VARIANT" in p.text for p in calls[1:])
