"""promptfoo's semantics, one test per difference issue 10 lists (no promptfoo needed: the values
are the ones promptfoo 0.123.1 gives, checked by evals/test_eval_promptfoo.py), and the user's own
prompts end to end against the scripted server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsdesk.cli.app import app
from newsdesk.evals import jscompat
from newsdesk.evals.assertions import EvalContext, grade
from newsdesk.evals.runner import aggregate
from newsdesk.evals.suite import AssertionSpec, SuiteError, load_js_yaml, load_suite
from newsdesk.testing import Reply, ScriptedServer, completion


def g(kind: str, output: str, value: object = None, **kw: object):  # type: ignore[no-untyped-def]
    negate = kind.startswith("not-")
    spec = AssertionSpec(type=kind[4:] if negate else kind, negate=negate, value=value, **kw)  # type: ignore[arg-type]
    return grade(output, spec, EvalContext(vars={"city": "Paris", "n": 3}))


def test_equals_on_json_is_deep_strict():
    assert not g("equals", '{"ok": 1}', {"ok": True}).passed
    assert g("equals", '{"ok": 1.0}', {"ok": 1}).passed  # one number type, as in JSON
    assert g("equals", "5", 5.0).passed  # String(5.0) is "5"


def test_icontains_lowercases_without_casefolding():
    assert not g("icontains", "Die Straße", "STRASSE").passed
    assert g("icontains", "Die Straße", "STRAßE").passed


def test_rouge_n_tokenises_as_js_rouge():
    # Treebank tokens keep the final "." and split "didn't": promptfoo scores these pairs so
    assert jscompat.treebank_tokenize("It didn't rain.") == ["It", "did", "n't", "rain", "."]
    assert g("rouge-n", "The cat sat on the mat.", "The cat is on the mat.").score == pytest.approx(
        6 / 7
    )
    assert g("rouge-n", "The cat sat on the mat.", "the cat sat on the mat").score == pytest.approx(
        12 / 13
    )


def test_contains_all_honours_quoted_commas_and_scores_0_or_1():
    out = "Smith, John and Doe, Jane"
    assert g("contains-all", out, '"Smith, John", "Doe, Jane"').passed
    partial = g("contains-all", out, "Smith, Jane, Bob")
    assert not partial.passed and partial.score == 0.0


def test_is_json_checks_formats():
    schema = {"type": "object", "properties": {"d": {"type": "string", "format": "date"}}}
    assert not g("is-json", '{"d": "2024-02-30"}', schema).passed
    assert g("is-json", '{"d": "2024-02-29"}', schema).passed
    email = {"type": "object", "properties": {"e": {"type": "string", "format": "email"}}}
    assert not g("is-json", '{"e": "not-an-email"}', email).passed


def test_script_scores_are_not_clamped_and_weight_0_passes():
    six = g("python", "x", "6")
    assert six.passed and six.score == 6
    neg = g("not-python", "x", "6")
    assert not neg.passed and neg.score == 6
    zero = g("contains", "abc", "zzz", weight=0.0)
    assert zero.passed and zero.score == 0.0
    spec = AssertionSpec(type="contains", value="zzz", weight=0.0)
    assert aggregate([(spec, zero)], None, {})[:2] == (True, 0.0)  # no weight: score 0


def test_yaml_reads_yes_as_text():
    data = load_js_yaml("a: yes\nb: on\nc: true\nd: 1e3\ne: 1:20\n")
    assert data == {"a": "yes", "b": "on", "c": True, "d": 1000.0, "e": "1:20"}


def test_values_are_templates_over_the_vars():
    assert g("contains", "in Paris", "{{ city }}").passed
    assert g("contains-any", "3 cats", ["{{ n }} cats", "dogs"]).passed


@pytest.mark.parametrize(
    ("pattern", "text", "match"),
    [
        (r"(?<num>\d+) shipped", "Order 12345 shipped", True),
        (r"(?<w>a)\k<w>", "aa", True),
        ("shipped$", "shipped\n", False),  # JS: $ is the end of input
        (r"\d", "٣", False),  # JS: \d is ASCII
        (r"[^]", "\n", True),
    ],
)
def test_javascript_regex_dialect(pattern: str, text: str, match: bool):
    assert (jscompat.js_regex(pattern).search(text) is not None) == match


def test_levenshtein_contains_json_assert_set():
    assert g("levenshtein", "kitten", "sitting", threshold=3).passed
    assert not g("levenshtein", "kitten", "sitting", threshold=2).passed
    assert g("contains-json", 'x {"a": 1} y').passed
    assert not g("contains-json", "no braces here").passed
    need_c = {"type": "object", "required": ["c"]}
    assert not g("contains-json", 'x {"a": 1} y', need_c).passed


SUITE = """\
prompts:
  - "case:{{ key }}"
  - file://chat.json
providers:
  - id: openai:chat:scripted
    config: {apiBaseUrl: "URL", apiKeyEnvar: SEM_KEY, max_tokens: 32,
             response_format: {type: json_object}}
defaultTest:
  assert: [{type: python, value: "context['prompt'].count('case:') == 1"}]
tests:
  - vars: {key: spaced}
    assert:
      - {type: equals, value: "  two  spaces  "}
      - type: python
        value: context['vars']['key'] == 'spaced' and context['provider']['id'].startswith('openai')
  - file://more.csv
scenarios:
  - config: [{vars: {key: a}}, {vars: {key: b}}]
    tests: [{assert: [{type: equals, value: "answer {{ key }}", metric: sc}]}]
"""


def test_the_users_own_prompts_end_to_end(tmp_path, monkeypatch):
    answers = {"spaced": "  two  spaces  ", "csv": "Paris", "a": "answer a", "b": "answer B"}

    def responder(request):  # type: ignore[no-untyped-def]
        key = request["messages"][-1]["content"].split("case:")[1]
        return Reply(body=completion(answers[key]))

    (tmp_path / "chat.json").write_text(
        '[{"role": "system", "content": "terse"}, {"role": "user", "content": "case:{{ key }}"}]'
    )
    (tmp_path / "more.csv").write_text(
        "key,__expected1,__expected2\ncsv,contains: Par,not-icontains:rome\n"
    )
    monkeypatch.setenv("SEM_KEY", "k")
    monkeypatch.setenv("NEWSDESK_CACHE_DIR", str(tmp_path / "cache"))
    with ScriptedServer(responder=responder) as server:
        suite = tmp_path / "suite.yaml"
        suite.write_text(SUITE.replace("URL", server.url))
        loaded = load_suite(suite)
        assert len(loaded.tests) == 4 and [p.kind for p in loaded.prompts] == ["text", "chat"]
        out = tmp_path / "results.json"
        result = CliRunner().invoke(app, ["eval", str(suite), "-o", str(out), "--no-cache"])
        sent = server.requests
    assert result.exit_code == 1, result.output  # scenario b answers "answer B"
    assert {r["max_tokens"] for r in sent} == {32}
    assert all(r["response_format"] == {"type": "json_object"} for r in sent)
    assert any(r["messages"][0] == {"role": "system", "content": "terse"} for r in sent)
    rows = json.loads(out.read_text())["results"]["results"]
    assert len(rows) == 8
    by = {(r["vars"]["key"], r["prompt"]["raw"].startswith("[")): r for r in rows}
    spaced = by[("spaced", False)]
    assert spaced["success"], spaced["gradingResult"]
    assert spaced["response"]["output"] == "  two  spaces  "  # unchanged
    assert spaced["prompt"]["raw"] == "case:spaced"
    assert by[("csv", True)]["success"]
    assert by[("a", False)]["namedScores"] == {"sc": 1.0}
    assert not by[("b", False)]["success"]
    comps = by[("b", False)]["gradingResult"]["componentResults"]
    assert [c["pass"] for c in comps] == [True, False]


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("  - {type: regex, value: 'a(?<n>b'}\n", 5, "invalid regular expression"),
        ("  - {type: regex, value: '[b-a]'}\n", 5, "invalid regular expression"),
        ("  - {type: contains, value: x, transform: 'python: output['}\n", 5, "invalid Python"),
        ("  - {type: contains, value: [a, b]}\n", 5, "value must be text or a number"),
        ("  - {type: starts-with, value: {a: 1}}\n", 5, "value must be text"),
    ],
)
def test_bad_assertions_are_file_line_errors(tmp_path: Path, body: str, line: int, message: str):
    suite = tmp_path / "s.yaml"
    suite.write_text(f"prompts: ['hi']\nproviders: [echo]\ntests:\n- assert:\n{body}")
    with pytest.raises(SuiteError, match=rf"s\.yaml:{line}: .*{message}"):
        load_suite(suite)


def test_javascript_without_node_is_a_file_line_error(tmp_path, monkeypatch):
    import newsdesk.evals.node as node

    monkeypatch.setattr(node, "node_version", lambda: None)
    suite = tmp_path / "s.yaml"
    suite.write_text(
        "prompts: ['hi']\nproviders: [echo]\ntests:\n  - assert:\n"
        "      - {type: javascript, value: 'output.length > 1'}\n"
    )
    with pytest.raises(SuiteError, match=r"s\.yaml:5: a javascript assertion is JavaScript.*node"):
        load_suite(suite)


def test_unknown_provider_is_a_file_line_error(tmp_path):
    suite = tmp_path / "s.yaml"
    suite.write_text("prompts: ['hi']\nproviders:\n  - anthropic:messages:claude\ntests: [{}]\n")
    with pytest.raises(SuiteError, match=r"s\.yaml:3: provider 'anthropic:messages:claude'"):
        load_suite(suite)


def test_echo_provider_and_var_expansion(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSDESK_CACHE_DIR", str(tmp_path / "cache"))
    suite = tmp_path / "s.yaml"
    suite.write_text(
        "prompts: ['say {{ word }}']\nproviders: [echo]\ntests:\n"
        "  - vars: {word: [one, two]}\n    assert: [{type: equals, value: 'say {{ word }}'}]\n"
    )
    out = tmp_path / "r.json"
    result = CliRunner().invoke(app, ["eval", str(suite), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = json.loads(out.read_text())["results"]["results"]
    assert sorted(r["response"]["output"] for r in rows) == ["say one", "say two"]


def test_jsonl_and_txt_files_hold_several_prompts(tmp_path):
    (tmp_path / "p.jsonl").write_text(
        '[{"role": "user", "content": "one {{ w }}"}]\n'
        '[{"role": "system", "content": "s"}, {"role": "user", "content": "two {{ w }}"}]\n'
    )
    (tmp_path / "p.txt").write_text("first {{ w }}\n---\nsecond {{ w }}\n")
    suite = tmp_path / "s.yaml"
    suite.write_text(
        "prompts: [file://p.jsonl, file://p.txt]\nproviders: [echo]\n"
        "tests: [{vars: {w: x}, assert: [{type: contains, value: x}]}]\n"
    )
    loaded = load_suite(suite)
    assert [p.kind for p in loaded.prompts] == ["chat", "chat", "text", "text"]
    assert [p.text for p in loaded.prompts[2:]] == ["first {{ w }}", "second {{ w }}"]


PRICED = """\
prompts: ["say {{ word }}"]
providers:
  - id: openai:chat:gpt-4o-mini
    config: {apiBaseUrl: "URL", apiKeyEnvar: SEM_KEY}
tests:
  - vars: {word: hi}
    assert: [{type: cost, threshold: 0.0000001}]
"""


def test_a_cached_answer_costs_nothing_as_in_promptfoo(tmp_path, monkeypatch):
    """promptfoo prices a response from its cache at 0 (calculateOpenAIUsageCost returns 0 for
    `cachedResponse`); newsdesk priced it as the call that first made it, so a `cost` assertion
    failed on a run that spent nothing."""
    monkeypatch.setenv("SEM_KEY", "k")
    monkeypatch.setenv("NEWSDESK_CACHE_DIR", str(tmp_path / "cache"))
    with ScriptedServer(
        responder=lambda r: Reply(body=completion("hi", prompt_tokens=4000))
    ) as server:
        suite = tmp_path / "suite.yaml"
        suite.write_text(PRICED.replace("URL", server.url))
        costs, passed = [], []
        for run in ("first", "cached"):
            out = tmp_path / f"{run}.json"
            CliRunner().invoke(app, ["eval", str(suite), "-o", str(out)])
            (row,) = json.loads(out.read_text())["results"]["results"]
            costs.append(row["cost"])
            passed.append(row["success"])
        assert len(server.requests) == 1  # the second run was answered from the cache
    assert costs[0] == pytest.approx((4000 * 0.15 + 5 * 0.60) / 1e6)
    assert costs[1] == 0
    assert passed == [False, True]
