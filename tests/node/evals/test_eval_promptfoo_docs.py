"""Issue 16's evidence as a proof: configs written in promptfoo's documented style
(tests/data/promptfoo_docs/: Nunjucks templating, files and whitespace, test options, CSV special
columns, chat prompts through `echo`) run by promptfoo 0.123.1 and by `newsdesk eval` against one
scripted server that echoes the prompt. Verdicts, scores, named scores, the rendered prompt, the
output in the -o file and the request parameters sent (seed, grader max_tokens) must agree.

CI installs promptfoo (.ci/run) and sets NEWSDESK_REQUIRE_PROMPTFOO=1, so there a missing
promptfoo fails this test instead of skipping it.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from newsdesk.cli.app import app
from newsdesk.evals.assertions.model_graded import PROMPTS_FILE
from newsdesk.testing import Reply, ScriptedServer, completion
from tests.helpers.paths import DATA
from tests.node.evals.test_eval_promptfoo import (
    compare,
    embedding,
    grader_answer,
    require_promptfoo,
    run_promptfoo,
)

HERE = DATA / "promptfoo_docs"
# reasons are compared everywhere except where newsdesk words them its own way, knowingly:
# llm-rubric's reason names its grader ("graded by MODEL: ..."), a javascript assertion's
# failure does not quote the code
OWN_REASONS = {"files", "graded", "templating"}


# in every grading prompt here
GRADER_MARKS = (
    "<Rubric>", "[Criterion]:", "<expert_answer>", "can be attributed", "candidate sentences:",
    "create one or more statements", "Natural language inference",
    "concise evaluation steps", "**Evaluation Steps**", "You are comparing multiple pieces",
    "Generate question for the given answer.",
)  # fmt: skip
GEVAL = re.compile(r"\b(GEVAL|GEVAL-STR|GEVAL-NOREASON) (\d+)")
VERDICT = re.compile(r"VERDICT (\S)")
RECALL = re.compile(r"RECALL (\d+)/(\d+)")
CATEGORY = re.compile(r"(CATEGORY|LEGACY) ([A-E])")
PICK = re.compile(r"\b(PICK|ANSWER) (\w+)")
TEXTS = re.compile(r'<Text index="(\d+)">\n(.*?)\n</Text>', re.DOTALL)


def select_best_answer(text: str) -> str | None:
    """select-best's grader: the index of the text holding the word after PICK (so the pick does
    not depend on the order each tool lists the outputs in), else `none`; ANSWER says what to
    answer verbatim."""
    m = PICK.search(text)
    if m is None:
        return None
    if m.group(1) == "ANSWER":
        return m.group(2)
    picked = [i for i, body in TEXTS.findall(text) if m.group(2) in body.split()]
    return f"The best is {picked[0]}." if picked else "none of them"


def graded_answer(text: str) -> str | None:
    """The scripted grader: a rubric, criterion or expert answer says what to answer."""
    if "Generate question for the given answer." in text:  # restates the answer as a question
        answer = text.rsplit("Answer:", 1)[1].rsplit("\nQuestion:", 1)[0]
        return f"Which statement says that {answer.strip()}?"
    if "You are comparing multiple pieces of text" in text:
        return select_best_answer(text)
    if "concise evaluation steps" in text:  # G-Eval's first call
        if "STEPS-BAD" in text:
            return "I would rather not list steps."
        if "STEPS-EMPTY" in text:
            return ""
        if "STEPS-MALFORMED" in text:
            return '{"steps": [Read the reply.]}'
        return '{"steps":["Read the reply.","Hold it against the criteria."]}'
    if "**Evaluation Steps**" in text and "EVAL-EMPTY" in text:
        return ""
    if "**Evaluation Steps**" in text and "EVAL-MALFORMED" in text:
        return '{"score": 7, reason: unquoted}'
    if "**Evaluation Steps**" in text and (m := GEVAL.search(text)):
        kind, score = m.group(1), int(m.group(2))
        if kind == "GEVAL-NOREASON":
            return json.dumps({"score": score})
        value = str(score) if kind == "GEVAL-STR" else score
        return json.dumps({"score": value, "reason": f"scripted {kind} {score}"})
    if "<Rubric>" in text:
        return grader_answer(text)
    if "[Criterion]:" in text and (m := VERDICT.search(text)):
        return f"The criterion is read step by step.\n{m.group(1)}"
    if "classify if the sentence can be attributed" in text and (m := RECALL.search(text)):
        good, total = int(m.group(1)), int(m.group(2))
        marks = ["[Attributed]"] * good + ["[Not Attributed]"] * (total - good)
        return "\n".join(f"{k + 1}. Sentence {k + 1}. So {mark}" for k, mark in enumerate(marks))
    if "create one or more statements" in text:
        return "Paris is the capital of France.\nParis has ten million people."
    if "Natural language inference" in text:
        return "Final verdict for each statement in order: Yes. No."
    if "candidate sentences:" in text:
        return "Paris is the capital of France."
    if "<expert_answer>" in text and (m := CATEGORY.search(text)):
        if m.group(1) == "LEGACY":
            return f"({m.group(2)}) the legacy form"
        return json.dumps({"category": m.group(2), "reason": f"scripted {m.group(2)}"})
    return None


def webhook_reply(request: dict[str, Any]) -> Reply:
    """The scripted webhook: the test's `hook` var is its reply (`hook_status`, `hook_delay`)."""
    test_vars = request["context"].get("vars") or {}
    return Reply(
        status=int(test_vars.get("hook_status", 200)),
        body=str(test_vars.get("hook", "{}")),
        headers={"Content-Type": "application/json"},
        delay=float(test_vars.get("hook_delay", 0)),
    )


def embedding_reply(request: dict[str, Any]) -> Reply:
    """The scripted embeddings: letter counts (test_eval_promptfoo.embedding)."""
    inputs = request["input"] if isinstance(request["input"], list) else [request["input"]]
    data = [
        {"object": "embedding", "index": i, "embedding": embedding(t)} for i, t in enumerate(inputs)
    ]
    usage = {"prompt_tokens": 1, "total_tokens": 1}
    return Reply(body={"object": "list", "data": data, "model": "e", "usage": usage})


MODERATION_CATEGORIES = (
    "harassment", "harassment/threatening", "hate", "hate/threatening", "self-harm",
    "sexual", "sexual/minors", "violence", "violence/graphic",
)  # fmt: skip


def moderation_reply(request: dict[str, Any]) -> Reply:
    """The scripted /moderations: the categories named after FLAG in the text are flagged (score
    0.9); MODERR is a 400 with OpenAI's error body, MODHTML a 502 page. The input is a text or
    omni's [{type, text}]."""
    given = request["input"]
    text = given if isinstance(given, str) else " ".join(p.get("text", "") for p in given)
    if "MODERR" in text:
        error = {"message": "scripted moderation failure", "type": "invalid_request_error"}
        return Reply(status=400, body={"error": error})
    if "MODHTML" in text:  # a proxy's error page, not JSON
        return Reply(status=502, body="<html>Bad gateway</html>")
    named = text.split("FLAG", 1)[1].split() if "FLAG" in text else []
    flagged = {c: c in named for c in MODERATION_CATEGORIES}
    scores = {c: 0.9 if hit else 0.01 for c, hit in flagged.items()}
    result = {"flagged": any(flagged.values()), "categories": flagged, "category_scores": scores}
    return Reply(body={"id": "modr-1", "model": request["model"], "results": [result]})


def dead_url() -> str:
    """A loopback URL nothing listens at (a port just freed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def echo_responder(request: dict[str, Any]) -> Reply:
    """Echoes the last message (so assertions see the prompt as rendered); grades as scripted;
    answers a webhook's POST as the test says."""
    if "context" in request and "output" in request:
        return webhook_reply(request)
    if "moderation" in str(request.get("model")):  # /moderations
        return moderation_reply(request)
    if "input" in request:  # /embeddings
        return embedding_reply(request)
    if "tools" in request or "functions" in request:  # the prompt is the message to answer
        body = completion("")
        text = request["messages"][-1]["content"]
        body["choices"][0]["message"] = json.loads(text.removeprefix("REPLY "))
        body["choices"][0]["finish_reason"] = "tool_calls"
        return Reply(body=body)
    content = request["messages"][-1]["content"]
    text = content if isinstance(content, str) else json.dumps(content)
    whole = json.dumps(request["messages"])
    answer = graded_answer(text) or graded_answer(whole)
    body = completion(answer if answer is not None else text)
    if request.get("logprobs"):  # -0.1 per letter: a short word is likely, a long one is not
        body["choices"][0]["logprobs"] = {
            "content": [
                {"token": w, "logprob": -0.1 * len(w), "bytes": None, "top_logprobs": []}
                for w in body["choices"][0]["message"]["content"].split()
            ]
        }
    return Reply(body=body)


def keyed_rows(path: Path) -> tuple[dict[tuple[str, ...], dict[str, Any]], list[str]]:
    """Each case by its `key` var and prompt index; two cases with one key are a problem (both
    prompts of a split file must get their own promptIdx)."""
    data = json.loads(path.read_text())
    out: dict[tuple[str, ...], dict[str, Any]] = {}
    problems = []
    for r in data["results"]["results"]:
        key = (str(r["vars"].get("key", "")), str(r.get("promptIdx")))
        if key in out:
            problems.append(f"two cases are {key}")
        out[key] = r
    return out, problems


def prompt_named_scores(path: Path) -> list[dict[str, Any]]:
    """Each prompt column's metrics.namedScores (derived metrics included), rounded."""
    data = json.loads(path.read_text())
    return [
        {k: v if not isinstance(v, float) else round(v, 6) for k, v in named.items()}
        for named in (p["metrics"]["namedScores"] for p in data["results"]["prompts"])
    ]


def compare_rendering(pf: dict[Any, dict[str, Any]], nd: dict[Any, dict[str, Any]]) -> list[str]:
    """The prompt as sent and the (transformed) output each tool reports."""
    problems = []
    for key in sorted(set(pf) & set(nd)):
        a, b = pf[key], nd[key]
        label = " / ".join(key)
        if a["prompt"]["raw"] != b["prompt"]["raw"]:
            problems.append(f"{label}: prompt {a['prompt']['raw']!r} vs {b['prompt']['raw']!r}")
        out_a, out_b = (
            (a.get("response") or {}).get("output"),
            (b.get("response") or {}).get("output"),
        )
        if out_a != out_b:
            problems.append(f"{label}: output {out_a!r} vs {out_b!r}")
    return problems


def compare_errors(key: tuple[str, ...], a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """A case that errored in both tools: the same error (promptfoo's without its stack)."""
    error_a = str(a.get("error")).split("\n    at ")[0]
    error_b = str(b.get("error"))
    if (a["success"], a["score"], error_a) != (b["success"], b["score"], error_b):
        return [f"{' / '.join(key)}: error {error_a!r} vs {error_b!r}"]
    return []


def compare_reasons(pf: dict[Any, dict[str, Any]], nd: dict[Any, dict[str, Any]]) -> list[str]:
    """The reasons each tool gives, the case's and each assertion's, and the grading result's
    named scores (max-score adds its own there)."""
    problems = []
    for key in sorted(set(pf) & set(nd)):
        a, b = pf[key].get("gradingResult") or {}, nd[key].get("gradingResult") or {}
        label = " / ".join(key)
        # promptfoo's case reason is its last failed assertion's to finish (they run at once):
        # with several failed, any of theirs is promptfoo's
        failed = {c.get("reason") for c in a.get("componentResults") or [] if not c.get("pass")}
        several = len(failed) > 1 and {a.get("reason"), b.get("reason")} <= failed
        if a.get("reason") != b.get("reason") and not several:
            problems.append(f"{label}: reason {a.get('reason')!r} vs {b.get('reason')!r}")
        na = {k: round(v, 6) for k, v in (a.get("namedScores") or {}).items()}
        nb = {k: round(v, 6) for k, v in (b.get("namedScores") or {}).items()}
        if na != nb:
            problems.append(f"{label}: grading named scores {na} vs {nb}")
        for i, (x, y) in enumerate(
            zip(a.get("componentResults") or [], b.get("componentResults") or [], strict=False)
        ):
            if x.get("reason") != y.get("reason"):
                problems.append(f"{label} #{i}: reason {x.get('reason')!r} vs {y.get('reason')!r}")
    return problems


TEXTS_BLOCK = re.compile(r'(?:\\n<Text index=\\"\d+\\">\\n.*?\\n</Text>\\n)+', re.DOTALL)


def unordered_texts(messages: str) -> str:
    """select-best's prompt with its outputs as a set: promptfoo lists a test's cases in the
    order they finished (its results table), which varies run to run."""

    def bodies(m: re.Match[str]) -> str:
        found = re.findall(r'<Text index=\\"\d+\\">\\n(.*?)\\n</Text>', m.group(0), re.DOTALL)
        return "<Texts " + json.dumps(sorted(found)) + ">"

    return TEXTS_BLOCK.sub(bodies, messages)


SAMPLING = (
    "top_p", "presence_penalty", "frequency_penalty", "stop", "logprobs", "top_k", "tools",
    "tool_choice", "functions", "function_call",
)  # fmt: skip


def request_shape(requests: list[dict[str, Any]]) -> set[tuple[str, Any]]:
    """What each tool sends: the model, seed or not, max_tokens, temperature, the sampling
    fields (top_p, penalties, stop, and passthrough's), and the messages of every grading
    request."""
    shape: set[tuple[str, Any]] = set()
    for r in requests:
        if "context" in r and "output" in r:  # a webhook's: what it was sent
            shape.add(("webhook", json.dumps(r, sort_keys=True)))
        if "moderation" in str(r.get("model")):  # a /moderations request: model and input
            shape.add(("moderation", r["model"], json.dumps(r, sort_keys=True)))
        if "messages" not in r:
            continue
        grading = any(m in json.dumps(r["messages"]) for m in GRADER_MARKS)
        # a grading request's messages too: the grading prompt must be promptfoo's, as rendered
        kind = unordered_texts(json.dumps(r["messages"])) if grading else "case"
        sampling = json.dumps({k: r.get(k) for k in SAMPLING}, sort_keys=True)
        shape.add(
            (kind, r.get("model"), "seed" in r, r.get("max_tokens"), r.get("temperature"), sampling)
        )
    return shape


@dataclass
class Config:
    """One documented config copied into its own folder, with its own scripted server, and what
    promptfoo did with it."""

    name: str
    work: Path
    server: ScriptedServer
    pf_requests: list[dict[str, Any]]


def prepare(tmp: Path, server: ScriptedServer, name: str) -> Config:
    """Copy a config next to its server's address, and run promptfoo on it (threads run these:
    each config has its own server, so requests never mix)."""
    binary = require_promptfoo()
    work = tmp / name
    shutil.copytree(HERE / name, work)
    config = work / "promptfooconfig.yaml"
    text = config.read_text().replace("{{BASE_URL}}", server.url)
    config.write_text(text.replace("{{DEAD_URL}}", dead_url()))
    run_promptfoo(binary, config, work / "promptfoo.json", {})
    return Config(name, work, server, list(server.requests))


def run_both(prepared: Config, monkeypatch: Any) -> tuple[int, int, list[str]]:
    """(cases, cases that disagree, every disagreement) for one config promptfoo has run."""
    name, work, server = prepared.name, prepared.work, prepared.server
    config = work / "promptfooconfig.yaml"
    pf_out, nd_out = work / "promptfoo.json", work / "newsdesk.json"
    server.requests.clear()
    with monkeypatch.context() as m:
        m.chdir(work)
        result = CliRunner().invoke(app, ["eval", str(config), "-o", str(nd_out), "--no-cache"])
    nd_requests = list(server.requests)
    problems: list[str] = []
    if result.exit_code not in (0, 1):
        pf, _ = keyed_rows(pf_out)
        refused = f"newsdesk exit {result.exit_code}: {result.output.strip()[-300:]}"
        return len(pf), len(pf), [f"{name}: {refused}"]
    pf, pf_dupes = keyed_rows(pf_out)
    nd, nd_dupes = keyed_rows(nd_out)
    problems += pf_dupes + [f"newsdesk: {p}" for p in nd_dupes]
    if set(pf) != set(nd):
        problems.append(f"cases differ: {sorted(set(pf) ^ set(nd))}")
    disagreeing = len(set(pf) ^ set(nd))
    for key in sorted(set(pf) & set(nd)):
        if pf[key]["gradingResult"] is None and nd[key]["gradingResult"] is None:
            found = compare_errors(key, pf[key], nd[key])  # the case errored in both
            disagreeing += bool(found)
            problems += found
            continue
        _, found = compare({key: pf[key]}, {key: nd[key]})
        found += compare_rendering({key: pf[key]}, {key: nd[key]})
        if name not in OWN_REASONS:
            found += compare_reasons({key: pf[key]}, {key: nd[key]})
        disagreeing += bool(found)
        problems += found
    pf_named, nd_named = prompt_named_scores(pf_out), prompt_named_scores(nd_out)
    if pf_named != nd_named:
        problems.append(f"prompts' named scores: promptfoo {pf_named}, newsdesk {nd_named}")
    if request_shape(prepared.pf_requests) != request_shape(nd_requests):
        problems.append(
            f"requests: promptfoo sends {sorted(request_shape(prepared.pf_requests), key=str)}, "
            f"newsdesk {sorted(request_shape(nd_requests), key=str)}"
        )
    print(f"{name}: {len(pf)} cases, {disagreeing} disagree")
    return len(pf), disagreeing, [f"{name}: {p}" for p in problems]


def test_documented_configs_grade_as_promptfoo_does(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSDESK_CACHE_DIR", str(tmp_path / "cache"))
    problems: list[str] = []
    cases = disagreeing = 0
    names = sorted(p.name for p in HERE.iterdir() if p.is_dir())
    with ExitStack() as stack:
        servers = [stack.enter_context(ScriptedServer(responder=echo_responder)) for _ in names]
        # promptfoo's runs are node processes: two at a time; newsdesk's run in this process
        # (its working folder is this process's), one after another
        with ThreadPoolExecutor(2) as pool:
            prepared = list(
                pool.map(lambda a: prepare(tmp_path, *a), zip(servers, names, strict=True))
            )
        for config in prepared:
            n, bad, found = run_both(config, monkeypatch)
            cases, disagreeing, problems = cases + n, disagreeing + bad, problems + found
    print(f"{cases} cases, {cases - disagreeing} agree with promptfoo, {disagreeing} disagree")
    print("\n".join(problems))
    assert cases >= 192  # sixteen folders
    assert not problems, f"{len(problems)} disagreements:\n" + "\n".join(problems)


def test_the_grading_prompts_are_promptfoos_own():
    """src/newsdesk/evals/promptfoo_grading_prompts.json is what the installed promptfoo's
    source evaluates to (with its own `dedent`)."""
    binary = require_promptfoo()
    package = binary.resolve().parents[1]  # node_modules/promptfoo/dist/src/main.js -> package
    while not (package / "package.json").is_file():
        package = package.parent
    node = binary.parent / "node"
    script = DATA / "promptfoo_grading_prompts.mjs"
    proc = subprocess.run(
        [str(node if node.is_file() else "node"), str(script), str(package)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    ours = json.loads(PROMPTS_FILE.read_text(encoding="utf-8"))
    ours.pop("_source")
    assert json.loads(proc.stdout) == ours
