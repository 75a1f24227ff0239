"""Issue 16's proof: `is-xml`, `contains-xml`, `is-html`, `contains-html`, `is-sql`,
`contains-sql` (tests/data/promptfoo_parsers/, written in promptfoo's documented style) run by
promptfoo 0.123.1 and by `newsdesk eval` against one scripted server that echoes the prompt: every
test's verdict, score and reason, and every assertion's verdict, score and reason, must agree. Then
what newsdesk refuses at load: these types without node or promptfoo, and values promptfoo would
throw on at every case.

CI installs promptfoo (.ci/run) and sets NEWSDESK_REQUIRE_PROMPTFOO=1, so there a missing
promptfoo fails the proof instead of skipping it.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from newsdesk.cli.app import app
from newsdesk.evals.suite import load_suite
from newsdesk.evals.yamlfile import SuiteError
from newsdesk.testing import ScriptedServer
from tests.helpers.paths import DATA
from tests.node.evals.test_eval_promptfoo import compare, require_promptfoo, run_promptfoo
from tests.node.evals.test_eval_promptfoo_docs import echo_responder, keyed_rows

HERE = DATA / "promptfoo_parsers"
TYPES = ("is-xml", "contains-xml", "is-html", "contains-html", "is-sql", "contains-sql")


def reasons(row: dict[str, Any]) -> list[str]:
    grading = row.get("gradingResult") or {}
    return [grading.get("reason", ""), *(c["reason"] for c in grading.get("componentResults", []))]


def test_xml_html_and_sql_assertions_grade_as_promptfoo_does(tmp_path, monkeypatch):
    binary = require_promptfoo()
    # promptfoo's own node runs newsdesk's worker too, as in CI (.ci/run)
    monkeypatch.setenv("NEWSDESK_NODE", str(binary.parent / "node"))
    monkeypatch.setenv("NEWSDESK_CACHE_DIR", str(tmp_path / "cache"))
    work = tmp_path / "parsers"
    shutil.copytree(HERE, work)
    config = work / "promptfooconfig.yaml"
    with ScriptedServer(responder=echo_responder) as server:
        config.write_text(config.read_text().replace("{{BASE_URL}}", server.url))
        pf_out, nd_out = work / "promptfoo.json", work / "newsdesk.json"
        run_promptfoo(binary, config, pf_out, {})
        monkeypatch.chdir(work)
        result = CliRunner().invoke(app, ["eval", str(config), "-o", str(nd_out), "--no-cache"])
    assert result.exit_code == 1, result.output  # some cases fail, on purpose
    pf, pf_dupes = keyed_rows(pf_out)
    nd, nd_dupes = keyed_rows(nd_out)
    assert not pf_dupes and not nd_dupes
    assertions, problems = compare(pf, nd)
    for key in sorted(pf):
        if reasons(pf[key]) != reasons(nd[key]):
            problems.append(f"{key[0]}: reasons {reasons(pf[key])} vs {reasons(nd[key])}")
    assert not problems, "\n".join(problems)
    assert len(pf) == 13 and assertions == 54
    # not vacuous: promptfoo itself passes and fails each type, plain and negated
    seen = {
        (c["assertion"]["type"], c["pass"])
        for row in pf.values()
        for c in row["gradingResult"]["componentResults"]
    }
    for kind in TYPES:
        for label in (kind, f"not-{kind}"):
            assert {(label, True), (label, False)} <= seen, label


def write(tmp_path: Path, asserts: str) -> Path:
    suite = tmp_path / "s.yaml"
    suite.write_text(f"prompts: [hi]\nproviders: [echo]\ntests:\n  - assert: {asserts}\n")
    return suite


def test_without_node_a_parser_assertion_is_refused_at_load(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSDESK_NODE", str(tmp_path / "no-node"))
    with pytest.raises(SuiteError) as err:
        load_suite(write(tmp_path, "[{type: contains, value: a}, {type: not-is-sql}]"))
    text = str(err.value)
    assert "s.yaml:4" in text and "not-is-sql is run by promptfoo 0.123.1" in text
    assert "no node >= 18 was found" in text and "install node >= 18 and promptfoo" in text
    assert "\n" not in text


def test_without_promptfoo_a_parser_assertion_is_refused_at_load(tmp_path, monkeypatch):
    binary = require_promptfoo()
    monkeypatch.setenv("NEWSDESK_NODE", str(binary.parent / "node"))
    monkeypatch.setenv("NEWSDESK_PROMPTFOO", str(tmp_path))
    with pytest.raises(SuiteError) as err:
        load_suite(write(tmp_path, "[{type: is-html}]"))
    text = str(err.value)
    assert f"NEWSDESK_PROMPTFOO={tmp_path} is no promptfoo" in text
    assert "is-html is run by promptfoo" in text and "npm install promptfoo@0.123.1" in text


@pytest.mark.parametrize(
    ("asserts", "message"),
    [
        ("[{type: is-sql, value: MySQL}]", "is-sql: value must be a mapping (databaseType"),
        ("[{type: not-contains-sql, value: 3}]", "not-contains-sql: value must be a mapping"),
        ("[{type: is-xml, value: {elements: [a]}}]", "is-xml: value must be element names"),
    ],
)
def test_a_value_promptfoo_throws_on_is_refused_at_load(tmp_path, monkeypatch, asserts, message):
    binary = require_promptfoo()
    monkeypatch.setenv("NEWSDESK_NODE", str(binary.parent / "node"))
    with pytest.raises(SuiteError) as err:
        load_suite(write(tmp_path, asserts))
    assert message in str(err.value) and "\n" not in str(err.value)


def test_meteor_stays_refused_while_promptfoos_own_meteor_cannot_load_natural(tmp_path):
    """promptfoo 0.123.1's meteor reads `PorterStemmer` as a named export of `natural`, which
    natural 8 (CommonJS) does not give an ESM import: every meteor assertion errors in promptfoo
    itself, so newsdesk refuses it (evals/unsupported.py). When this fails, promptfoo's meteor
    works: run it in node like the parser types."""
    binary = require_promptfoo()
    prefix = binary.parent.parent.parent  # <prefix>/node_modules/.bin/promptfoo
    probe = 'import("natural").then(m => console.log(typeof m.PorterStemmer, typeof m.default))'
    out = subprocess.run(
        [str(binary.parent / "node"), "-e", probe],
        cwd=prefix,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.stdout.split() == ["undefined", "object"], out.stderr
    with pytest.raises(SuiteError, match="meteor fails on every case"):
        load_suite(write(tmp_path, "[{type: meteor, value: a reference}]"))


NO_LOGPROBS = """\
prompts: ["{{ text }}"]
providers:
  - id: openai:chat:echo-model
    config: {apiBaseUrl: "BASE_URL", apiKey: local}
tests:
  - vars: {key: no-logprobs, text: it is a cat on a mat}
    assert:
      - type: perplexity
        threshold: 1.5
  - vars: {key: graded, text: it is a cat}
    assert:
      - type: contains
        value: cat
"""


def test_perplexity_without_logprobs_errors_that_case_as_promptfoo_does(tmp_path, monkeypatch):
    """promptfoo's runAssertion throws when the endpoint gave no log-probabilities, and its
    evaluator errors that case, ungraded, with no output: newsdesk says the same, and the other
    case is graded."""
    binary = require_promptfoo()
    monkeypatch.setenv("NEWSDESK_NODE", str(binary.parent / "node"))
    monkeypatch.setenv("NEWSDESK_CACHE_DIR", str(tmp_path / "cache"))
    config = tmp_path / "promptfooconfig.yaml"
    with ScriptedServer(responder=echo_responder) as server:
        config.write_text(NO_LOGPROBS.replace("BASE_URL", server.url))
        pf_out, nd_out = tmp_path / "promptfoo.json", tmp_path / "newsdesk.json"
        run_promptfoo(binary, config, pf_out, {})
        monkeypatch.chdir(tmp_path)
        result = CliRunner().invoke(app, ["eval", str(config), "-o", str(nd_out), "--no-cache"])
    assert result.exit_code == 1, result.output
    pf, _ = keyed_rows(pf_out)
    nd, _ = keyed_rows(nd_out)
    assert set(pf) == set(nd) and len(pf) == 2
    for key in pf:
        if key[0] == "no-logprobs":
            first = pf[key]["error"].splitlines()[0]
            assert "does not support providers that do not return logProbs" in first
            assert nd[key]["error"].splitlines()[0] == first
            assert pf[key].get("response") is None and nd[key].get("response") is None
            assert pf[key].get("gradingResult") is None and nd[key].get("gradingResult") is None
        else:
            assert pf[key]["success"] is nd[key]["success"] is True


def test_perplexity_is_read_from_the_log_probabilities_the_endpoint_sent(tmp_path, monkeypatch):
    """An oracle beside the side-by-side proof: the sampling config's scores are what the
    scripted log-probabilities give (-0.1 per letter), and the request carried the config's
    sampling fields and passthrough."""
    binary = require_promptfoo()
    monkeypatch.setenv("NEWSDESK_NODE", str(binary.parent / "node"))
    monkeypatch.setenv("NEWSDESK_CACHE_DIR", str(tmp_path / "cache"))
    work = tmp_path / "sampling"
    shutil.copytree(DATA / "promptfoo_docs" / "sampling", work)
    config = work / "promptfooconfig.yaml"
    with ScriptedServer(responder=echo_responder) as server:
        config.write_text(config.read_text().replace("{{BASE_URL}}", server.url))
        out = work / "newsdesk.json"
        monkeypatch.chdir(work)
        result = CliRunner().invoke(app, ["eval", str(config), "-o", str(out), "--no-cache"])
        sent = list(server.requests)
    assert result.exit_code == 1, result.output  # some assertions fail, on purpose
    assert len(sent) == 2
    for request in sent:
        assert request["top_p"] == 0.9 and request["stop"] == ["\n\n"]
        assert request["presence_penalty"] == 0.5 and request["frequency_penalty"] == 0.25
        assert request["logprobs"] is True and request["top_k"] == 40
    rows, _ = keyed_rows(out)
    seen = set()
    for row in rows.values():
        text = row["vars"]["text"]
        mean = sum(-0.1 * len(w) for w in text.split()) / len(text.split())
        for c in row["gradingResult"]["componentResults"]:
            kind = c["assertion"]["type"]
            seen.add((kind, c["pass"]))
            if kind == "perplexity-score":
                assert c["score"] == pytest.approx(1 / (1 + math.exp(-mean)))
            if kind == "perplexity" and c["assertion"].get("threshold") is not None:
                assert c["pass"] == (math.exp(-mean) <= c["assertion"]["threshold"])
    for kind in ("perplexity", "not-perplexity", "perplexity-score", "not-perplexity-score"):
        assert {(kind, True), (kind, False)} <= seen, kind


def test_perplexity_from_the_embedded_servers_own_log_probabilities(tmp_path, monkeypatch):
    """llama.cpp's server gives log-probabilities when asked (`passthrough: {logprobs: true}`),
    so perplexity grades the small model's real answer."""
    binary = require_promptfoo()
    monkeypatch.setenv("NEWSDESK_NODE", str(binary.parent / "node"))
    config = tmp_path / "promptfooconfig.yaml"
    config.write_text(
        'prompts: ["Say hello in one word."]\n'
        "providers:\n"
        "  - id: embedded:gemma-3-270m\n"
        "    config: {max_tokens: 8, passthrough: {logprobs: true}}\n"
        "tests:\n"
        "  - assert:\n"
        "      - {type: perplexity-score, threshold: 0.01}\n"
        "      - {type: perplexity-score, threshold: 0.9999}\n"
        "      - {type: perplexity}\n"
    )
    out = tmp_path / "out.json"
    result = CliRunner().invoke(app, ["eval", str(config), "-o", str(out), "--no-cache"])
    assert result.exit_code == 1, result.output  # the 0.9999 threshold fails, on purpose
    (row,) = keyed_rows(out)[0].values()
    low, high, plain = row["gradingResult"]["componentResults"]
    assert low["pass"] and not high["pass"]
    assert 0.0 < low["score"] == high["score"] < 1.0
    assert "Perplexity score" in high["reason"] and plain["pass"]
