"""Proof against the real tool: tests/promptfoo_parity/suite.yaml (every assertion type issue 10
names, llm-rubric and similar with a scripted grader and embeddings, both prompt kinds,
defaultTest, CSV, scenarios, assert-set, threshold, metrics) and promptfoo's own examples
(examples/promptfoo/, unchanged) run by promptfoo and by `newsdesk eval` against the same
scripted OpenAI-compatible server; every test's verdict and score, every assertion's verdict and
score, and the named metrics must agree.

Runs when promptfoo (and node >= 22) are installed: `.ci/run` installs them under /opt/pf
(PROMPTFOO_BIN names another promptfoo) and sets NEWSDESK_REQUIRE_PROMPTFOO=1, which turns a
missing promptfoo into a failure; elsewhere the test skips, saying so.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from newsdesk.cli.app import app
from newsdesk.testing import Reply, ScriptedServer, completion
from tests.helpers.paths import DATA, EXAMPLES

HERE = DATA / "promptfoo_parity"
EXAMPLES = EXAMPLES / "promptfoo"
OUTPUTS: dict[str, str] = json.loads((HERE / "outputs.json").read_text())
CASE = re.compile(r"case:(\S+)")


def promptfoo_bin() -> Path | None:
    explicit = os.environ.get("PROMPTFOO_BIN")
    candidates = [Path(explicit)] if explicit else []
    candidates.append(Path("/opt/pf/node_modules/.bin/promptfoo"))
    found = shutil.which("promptfoo")
    if found:
        candidates.append(Path(found))
    return next((c for c in candidates if c.is_file()), None)


# answers for the promptfoo examples, by what the prompt asks (some pass, some fail)
EXAMPLE_ANSWERS = [
    ("English to French: Hello world", "Bonjour le monde"),
    ("Translate to French: Hello world", "Bonjour, le monde !"),
    ("English to Spanish", "¿Dónde está la biblioteca?"),
    ("Translate to Spanish", "Donde esta la biblioteca?"),
    ("object: Banana", '{"color": "yellow", "countries": ["Ecuador", "India"]}'),
    ("object: Passion fruit", '{"color": "purple", "countries": ["Brazil", "Colombia"]}'),
    ('French:\n"Hello world"', "Bonjour tout le monde."),
    ('French:\n"I\'m hungry"', "J'ai faim."),
    ("French in a natural", "Salut le monde"),
    ('Pirate:\n"Hello world"', "Ahoy, matey!"),
    ("Pirate", "Arr, I be needin' some food."),
]


GRADE = re.compile(r"GRADE (\S+) (\S+)")


def grader_answer(text: str) -> str:
    """The scripted grader: the rubric says what to answer (`GRADE true 0.8`)."""
    m = GRADE.search(text)
    if m is None:
        return '{"reason": "no rubric", "pass": false, "score": 0}'
    verdict: dict[str, Any] = {"reason": f"scripted: {m.group(0)}"}
    verdict["pass"] = {"true": True, "false": False}.get(m.group(1), m.group(1))
    if m.group(2) != "none":
        verdict["score"] = float(m.group(2))
    return json.dumps(verdict)


def embedding(text: str) -> list[float]:
    """A deterministic embedding: letter and digit counts (enough to rank texts by wording)."""
    low = text.lower()
    return [float(low.count(c)) for c in "abcdefghijklmnopqrstuvwxyz0123456789 "]


def responder(request: dict[str, Any]) -> Reply:
    if "input" in request:  # /embeddings
        inputs = request["input"] if isinstance(request["input"], list) else [request["input"]]
        data = [
            {"object": "embedding", "index": i, "embedding": embedding(t)}
            for i, t in enumerate(inputs)
        ]
        usage = {"prompt_tokens": 1, "total_tokens": 1}
        return Reply(body={"object": "list", "data": data, "model": "e", "usage": usage})
    text = request["messages"][-1]["content"]
    if "<Rubric>" in text:
        return Reply(body=completion(grader_answer(text)))
    m = CASE.search(text)
    if m:
        return Reply(body=completion(OUTPUTS.get(m.group(1), "unscripted")))
    answer = next((a for needle, a in EXAMPLE_ANSWERS if needle in text), "no scripted answer")
    return Reply(body=completion(answer))


def write_suite(tmp: Path, url: str) -> Path:
    for f in HERE.iterdir():
        shutil.copy(f, tmp / f.name)
    suite = tmp / "suite.yaml"
    suite.write_text(suite.read_text().replace("{{BASE_URL}}", url))
    return suite


def rows(path: Path) -> dict[tuple[str, ...], dict[str, Any]]:
    """Each case by what identifies it in both tools: the parity suite's `key` var and the prompt
    kind, else the provider and the prompt as sent."""
    data = json.loads(path.read_text())
    out = {}
    for r in data["results"]["results"]:
        raw = r["prompt"]["raw"]
        if "key" in r["vars"]:
            kind = "chat" if raw.lstrip()[:1] == "[" else "text"
            key: tuple[str, ...] = (r["vars"]["key"], kind, r["testCase"].get("description", ""))
        else:
            key = (r["provider"]["id"], raw)
        assert key not in out, f"two cases are {key}"
        out[key] = r
    return out


def run_promptfoo(binary: Path, suite: Path, out: Path, extra: dict[str, str]) -> None:
    env = {
        **os.environ,
        **extra,
        "PATH": f"{binary.parent}:{os.environ.get('PATH', '')}",
        "PROMPTFOO_DISABLE_TELEMETRY": "1",
        "PROMPTFOO_DISABLE_UPDATE": "1",
        "PROMPTFOO_CONFIG_DIR": str(suite.parent / ".promptfoo"),
        "PARITY_KEY": "parity-key",
    }
    cmd = [str(binary), "eval", "-c", str(suite), "-o", str(out), "--no-cache", "--no-table"]
    cmd += ["--no-progress-bar", "-j", "4"]
    proc = subprocess.run(
        cmd, cwd=suite.parent, env=env, capture_output=True, text=True, timeout=90
    )
    assert out.is_file(), (
        f"promptfoo wrote no results:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    )


def compare(pf: dict[Any, dict[str, Any]], nd: dict[Any, dict[str, Any]]) -> tuple[int, list[str]]:
    problems: list[str] = []
    assertions = 0
    assert set(pf) == set(nd), f"cases differ: {set(pf) ^ set(nd)}"
    for key, a in sorted(pf.items()):
        b = nd[key]
        label = " / ".join(k[:50] for k in key)
        if a["success"] != b["success"] or abs(a["score"] - b["score"]) > 1e-6:
            problems.append(
                f"{label}: promptfoo {a['success']}/{a['score']:.4f}, "
                f"newsdesk {b['success']}/{b['score']:.4f}"
            )
        if a["gradingResult"] is None or b["gradingResult"] is None:
            errors = f"promptfoo {a.get('error')}, newsdesk {b.get('error')}"
            problems.append(f"{label}: not graded: {errors}")
            continue
        ga, gb = a["gradingResult"]["componentResults"], b["gradingResult"]["componentResults"]
        if len(ga) != len(gb):
            problems.append(f"{label}: {len(ga)} vs {len(gb)} assertion results")
            continue
        for i, (x, y) in enumerate(zip(ga, gb, strict=True)):
            assertions += 1
            if x["pass"] != y["pass"] or abs(x["score"] - y["score"]) > 1e-6:
                kind = x.get("assertion", {}).get("type")
                problems.append(
                    f"{label} #{i} {kind}: promptfoo {x['pass']}/{x['score']} "
                    f"({x['reason'][:60]}), newsdesk {y['pass']}/{y['score']} ({y['reason'][:60]})"
                )
        na = {k: round(v, 6) for k, v in (a.get("namedScores") or {}).items()}
        nb = {k: round(v, 6) for k, v in (b.get("namedScores") or {}).items()}
        if na != nb:
            problems.append(f"{label}: named scores {na} vs {nb}")
    return assertions, problems


def require_promptfoo() -> Path:
    """promptfoo's binary; a skip where it is not installed, a failure where CI requires it."""
    binary = promptfoo_bin()
    missing = None
    if binary is None:
        missing = "promptfoo is not installed (bash .ci/run installs node 22 + promptfoo 0.123.1)"
    elif not (binary.parent / "node").is_file() and shutil.which("node") is None:
        missing = "promptfoo needs node 22, which is not installed"
    if missing is not None:
        if os.environ.get("NEWSDESK_REQUIRE_PROMPTFOO") == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    assert binary is not None
    return binary


def test_newsdesk_grades_as_promptfoo_does(tmp_path, monkeypatch):
    binary = require_promptfoo()
    monkeypatch.setenv("PARITY_KEY", "parity-key")
    monkeypatch.setenv("NEWSDESK_CACHE_DIR", str(tmp_path / "cache"))
    with ScriptedServer(responder=responder) as server:
        suite = write_suite(tmp_path, server.url)
        # the parity suite, then promptfoo's own examples, unchanged, pointed at the server by the
        # base URL both tools read
        runs = [(suite, {})]
        env = {"OPENAI_BASE_URL": server.url, "OPENAI_API_KEY": "local"}
        for example in sorted(p for p in EXAMPLES.iterdir() if p.is_dir()):
            copy = tmp_path / example.name
            shutil.copytree(example, copy)
            runs.append((copy / "promptfooconfig.yaml", env))
        totals = [0, 0]
        problems: list[str] = []
        for config, extra in runs:
            pf_out, nd_out = config.parent / "promptfoo.json", config.parent / "newsdesk.json"
            run_promptfoo(binary, config, pf_out, extra)
            with monkeypatch.context() as m:
                m.chdir(config.parent)
                for k, v in extra.items():
                    m.setenv(k, v)
                result = CliRunner().invoke(
                    app, ["eval", str(config), "-o", str(nd_out), "--no-cache"]
                )
            assert result.exit_code in (0, 1), result.output
            pf, nd = rows(pf_out), rows(nd_out)
            n, found = compare(pf, nd)
            name = config.parent.name
            print(f"{name}: {len(pf)} cases, {n} assertion results, {len(found)} differ")
            totals[0] += len(pf)
            totals[1] += n
            problems += [f"{config.parent.name}: {p}" for p in found]
    print(f"compared {totals[0]} cases, {totals[1]} assertion results: {len(problems)} differ")
    assert totals[0] >= 40 and totals[1] >= 60
    assert not problems, "\n".join(problems)
