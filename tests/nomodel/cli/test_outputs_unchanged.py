"""Golden outputs: every command, in every output format, on fixed model answers.

The proof behind "behaviour unchanged" for a restructuring of the CLI: each case runs the real
CLI (`python -m newsdesk`, a subprocess) against a scripted OpenAI-compatible server whose
answers are a pure function of the request (`extractive_responder`: a stand-in model that
answers from the article's own sentences, citing real ids such as S16, and now and then states
something the article does not, so the flags show too). What the case printed (stdout, stderr,
exit code) and every file it wrote are compared with its recorded text in tests/data/outputs/
(one file per case, named after it), and a difference fails with a unified diff.

What varies from run to run is normalised before comparing: durations ("0.01 s", "seconds":
0.012, "2.50 articles/s"), the scripted server's address, the temporary folder, the version,
and trailing spaces (rich pads its lines). Articles are copied into each case's own working
folder and named relatively, so paths in the output do not depend on where the repository is;
each case has its own response cache (a fresh folder), so nothing is shared between cases or
runs, except inside a case that runs twice on purpose (the cache hit).

To record the outputs again (after an intended change of behaviour, then review the diff):

    NEWSDESK_RECORD_OUTPUTS=1 python -m pytest -q tests/nomodel/cli/test_outputs_unchanged.py

The cases run concurrently (one subprocess each), so the whole module takes a few seconds.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from newsdesk.testing import Reply, ScriptedServer, completion, schema_instance
from tests.helpers.paths import DATA, EXAMPLE, SRC

OUTPUTS = DATA / "outputs"
RECORD = os.environ.get("NEWSDESK_RECORD_OUTPUTS") == "1"
URL = "{url}"  # in a case's arguments: the scripted server's address

TRADE = EXAMPLE.name  # us-china-trade-talks.txt, 21 sentences
CHENEY = "basil-cheney-hpo.txt"
PANDHER = "newsqa-pandher.txt"
ARTICLES = {TRADE: EXAMPLE, CHENEY: DATA / CHENEY, PANDHER: DATA / PANDHER}

# A draft for `check`: a verbatim line, a paraphrase the model reads as stated, one it reads
# as contradicted (S17: no purchases have materialised), and a name the article never mentions.
DRAFT = (
    "Mr Xi agreed to consider purchases only in the context of a broader final agreement. "
    "The US and China are set to relaunch trade talks this week. "
    "China has already bought large amounts of American agricultural commodities. "
    "Angela Merkel joined the talks in Osaka.\n"
)
GOOD_DRAFT = "The US and China are set to relaunch trade talks this week.\n"


# --- the stand-in model ----------------------------------------------------------------------

_SENTENCE = re.compile(r"^\[((?:A\d+:)?S\d+)\] (.+)$", re.M)
_WORD = re.compile(r"[A-Za-z0-9$]+")
_STOP = frozenset(
    "a an the and or but of to in on at by for with from as is are was were be been it its "
    "this that these those he she they his her their who what when where why how which did "
    "do does has have had will would could should said says not no than then there".split()
)
_STANCES = ("supports", "opposes", "mixed", "neutral", "unclear")


def _stems(text: str) -> list[str]:
    """Content words, cut to five letters: a crude stemmer (agree, agreed -> agree)."""
    return [w.lower()[:5] for w in _WORD.findall(text) if w.lower() not in _STOP]


def _overlap(a: str, b: str) -> int:
    return len(set(_stems(a)) & set(_stems(b)))


def _clause(sentence: str, about: str = "", words: int = 15) -> str:
    """The sentence's clause that shares most words with `about` (else its first), at most
    `words` words, without a leading conjunction or closing full stop: the article's words."""
    parts = [p.strip() for p in re.split(r", | - |; ", sentence) if p.strip()]
    best = max(parts, key=lambda p: (_overlap(p, about), len(p.split()) > 4, -parts.index(p)))
    best = re.sub(r"^(?:but|and|with|while|so) ", "", best, flags=re.I)
    return " ".join(best.split()[:words]).rstrip(".,;:")


def _schema_at(schema: dict[str, Any], *path: str) -> dict[str, Any]:
    """The subschema at `path` (property names; arrays are stepped into), $refs followed."""
    node = schema
    for key in ("", *path):
        if key:
            node = node.get("properties", {}).get(key, {})
        while "$ref" in node or node.get("type") == "array":
            if "$ref" in node:
                target: Any = schema
                for part in node["$ref"].lstrip("#/").split("/"):
                    target = target[part]
                node = target
            else:
                node = node.get("items", {})
    return node


def _names(schema: dict[str, Any]) -> list[str]:
    return list(_schema_at(schema, "parties", "name").get("enum", []))


def _aliases(prompt: str) -> dict[str, list[str]]:
    """The prompt's party list: `- Name (also: A, B)`."""
    found: dict[str, list[str]] = {}
    for m in re.finditer(r"^- (.+?)(?: \(also: (.+)\))?$", prompt, re.M):
        found[m.group(1)] = [m.group(1), *(m.group(2) or "").split(", ")]
    return found


def _mentions(names: list[str], sentences: list[tuple[str, str]]) -> list[tuple[str, str]]:
    pattern = re.compile("|".join(rf"\b{re.escape(n)}\b" for n in names if n))
    return [(i, t) for i, t in sentences if pattern.search(t)]


def _answer(prompt: str, sentences: list[tuple[str, str]]) -> dict[str, Any]:
    question = re.findall(r"^Question: (.+)$", prompt, re.M)[-1]
    best = max(sentences, key=lambda s: (_overlap(question, s[1]), -sentences.index(s)))
    if _overlap(question, best[1]) < 2:
        return {"answer": "The article does not say.", "citations": [], "answerable": False}
    return {"answer": _clause(best[1], question), "citations": [best[0]], "answerable": True}


def _summary(schema: dict[str, Any], sentences: list[tuple[str, str]]) -> dict[str, Any]:
    n = _schema_at(schema, "lines").get("maxItems", 3)
    lines = []
    for k in range(min(n, len(sentences))):
        i = k * len(sentences) // n
        sid, text = sentences[i]
        ids = [sid] if k or i + 1 >= len(sentences) else [sid, sentences[i + 1][0]]
        line = _clause(text, words=30)
        if k == 1:  # a line that goes beyond its sentence: flagged unsupported
            line += ", officials in Geneva said"
        lines.append({"ids": ids, "text": line})
    return {"lines": lines}


def _stance(schema: dict[str, Any], prompt: str, sentences: list[tuple[str, str]]) -> Any:
    aliases = _aliases(prompt)
    parties = []
    for k, name in enumerate(_names(schema)):
        said = _mentions(aliases.get(name, [name]), sentences)
        if not said:  # the model leaves out a party it cannot place
            continue
        parties.append(
            {
                "name": name,
                "position": _clause(said[0][1], name),
                "stance": _STANCES[k % len(_STANCES)],
                "evidence": [i for i, _ in said[:2]],
            }
        )
    text = " ".join(t for _, t in sentences)
    others = [n for n in ("Robert Lighthizer", "Steven Mnuchin", "Heather Poe") if n in text]
    return {"issue": _clause(sentences[0][1], words=12), "parties": parties, "others": others}


def _brief_parties(schema: dict[str, Any], sentences: list[tuple[str, str]]) -> Any:
    parties = []
    for name in _names(schema):
        said = _mentions([name, name.split()[-1]], sentences)
        if said:
            parties.append(
                {"name": name, "position": _clause(said[0][1], name), "cites": [said[0][0]]}
            )
    return {"parties": parties}


def _points(sentences: list[tuple[str, str]]) -> Any:
    picks = sentences[:3]
    points: list[dict[str, Any]] = [{"cites": [i], "text": _clause(t)} for i, t in picks]
    points[-1]["text"] += " in Geneva"  # a point its sentence does not state
    return {"headline": _clause(sentences[0][1], words=10), "points": points}


def _debate(sentences: list[tuple[str, str]]) -> Any:
    said = [(i, t) for i, t in sentences if re.search(r"\bsaid\b", t)][:2]
    disagreements = []
    if len(said) == 2:
        (a, ta), (b, tb) = said
        text = f"{_clause(ta, words=10)}, while {_clause(tb, words=10)}"
        disagreements.append({"text": text, "cites": [a, b]})
    questions = [
        "What happens next?",
        "Who will decide, and when?",
        "What do the parties not named in the article say?",
    ]
    return {"disagreements": disagreements, "questions": questions}


def _synthesis(sentences: list[tuple[str, str]]) -> Any:
    first: dict[str, tuple[str, str]] = {}
    for i, t in sentences:
        first.setdefault(i.split(":")[0], (i, t))
    heads = list(first.values())
    points = [{"text": _clause(t, words=12), "cites": [i]} for i, t in heads]
    if len(heads) > 1:
        points.append(
            {"text": "Both articles report a dispute.", "cites": [i for i, _ in heads[:2]]}
        )
    return {"points": points[:3]}


def _verdict(prompt: str, sentences: list[tuple[str, str]]) -> Any:
    claim = re.search(r"<claim>\n(.*?)\n</claim>", prompt, re.S)
    text = claim.group(1) if claim else ""
    words = set(_stems(text))
    best = max((_overlap(text, t) for _, t in sentences), default=0)
    if re.search(r"\b(?:already|never)\b", text):
        return {"verdict": "contradicted"}
    return {"verdict": "stated" if words and best * 2 >= len(words) else "not stated"}


def _topic(prompt: str) -> Any:
    sides = re.findall(r"^Side \d, (.+):$", prompt, re.M)
    return {"topic": f"what {sides[-2]} and {sides[-1]} say" if len(sides) >= 2 else "the issue"}


def extractive_responder(request: dict[str, Any]) -> Reply:
    """A deterministic stand-in model: answers each structured request from the sentences its
    prompt shows (their ids are real), by the schema's name; schema_instance for anything else."""
    prompt = "\n".join(m["content"] for m in request["messages"])
    fmt = request.get("response_format") or {}
    name = (fmt.get("json_schema") or {}).get("name", "")
    schema = (fmt.get("json_schema") or {}).get("schema") or {}
    seen: dict[str, str] = {}
    for sid, text in _SENTENCE.findall(prompt):
        seen.setdefault(sid, text)
    sentences = list(seen.items())
    props = schema.get("properties", {})
    if name == "answer":
        out = _answer(prompt, sentences)
    elif name == "summary":
        out = _summary(schema, sentences)
    elif name == "parties" and "issue" in props:
        out = _stance(schema, prompt, sentences)
    elif name == "parties":
        out = _brief_parties(schema, sentences)
    elif name == "points":
        out = _points(sentences)
    elif name == "debate":
        out = _debate(sentences)
    elif name == "synthesis":
        out = _synthesis(sentences)
    elif name == "verify":
        out = _verdict(prompt, sentences)
    elif name == "topic":
        out = _topic(prompt)
    else:
        out = schema_instance(schema, text="A scripted answer.")
    content = json.dumps(out, ensure_ascii=False)
    body = completion(content, prompt_tokens=len(prompt) // 4)
    body["created"] = 0
    body["usage"]["completion_tokens"] = len(content) // 4
    body["usage"]["total_tokens"] = len(prompt) // 4 + len(content) // 4
    return Reply(body=body)


# --- the cases -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str  # the fixture's name: outputs/<name>.txt
    args: tuple[str, ...]  # after `newsdesk`; URL stands for the server's address
    exit_code: int = 0
    stdin: str | None = None
    runs: int = 1  # the last run is recorded (2: the second hits the response cache)
    key: bool = True  # an API key in the environment (without one and --base-url: embedded)


def case(
    name: str,
    *args: str,
    exit_code: int = 0,
    stdin: str | None = None,
    runs: int = 1,
    key: bool = True,
) -> Case:
    return Case(name, args, exit_code, stdin, runs, key)


REMOTE = ("--base-url", URL)
XI = "What did Mr Xi agree to consider?"
NAVARRO = "Who is Peter Navarro?"
NOT_SAID = "Who won the World Cup?"

CASES = [
    # ask
    case("ask.terminal", "ask", TRADE, XI, *REMOTE),
    case("ask.two-questions", "ask", TRADE, NAVARRO, NOT_SAID, *REMOTE),
    case("ask.json", "ask", TRADE, NAVARRO, NOT_SAID, "--json", *REMOTE),
    case("ask.json.cached", "ask", TRADE, XI, "--json", *REMOTE, runs=2),
    case("ask.dry-run", "ask", TRADE, XI, NAVARRO, "--dry-run", *REMOTE),
    case("ask.missing-file", "ask", "nowhere.txt", XI, *REMOTE, exit_code=2),
    # summarize
    case("summarize.terminal", "summarize", TRADE, *REMOTE),
    case("summarize.json", "summarize", TRADE, "--json", *REMOTE),
    case("summarize.show-evidence", "summarize", TRADE, "--show-evidence", *REMOTE),
    case("summarize.short", "summarize", CHENEY, "--length", "short", *REMOTE),
    case("summarize.dry-run", "summarize", TRADE, "--dry-run", *REMOTE),
    # no endpoint: the embedded model, whose summaries rank sentences (no model call)
    case("summarize.embedded-ranking", "summarize", PANDHER, key=False),
    case("summarize.embedded-dry-run", "summarize", PANDHER, "--dry-run", key=False),
    *(
        case(
            f"summarize.batch.{fmt}",
            *("summarize", TRADE, CHENEY, "-o", "out/", "--format", fmt),
            *("--max-concurrency", "1", *REMOTE),
        )
        for fmt in ("md", "txt", "json")
    ),
    case("summarize.two-without-o", "summarize", TRADE, CHENEY, *REMOTE, exit_code=2),
    # stance
    case("stance.terminal", "stance", TRADE, *REMOTE),
    case("stance.json", "stance", TRADE, "--json", *REMOTE),
    case("stance.party", "stance", TRADE, "--party", "dr scissors", *REMOTE),
    case("stance.cheney", "stance", CHENEY, *REMOTE),
    case("stance.dry-run", "stance", CHENEY, "--dry-run", *REMOTE),
    # brief
    case("brief.terminal", "brief", TRADE, *REMOTE),
    case("brief.json", "brief", TRADE, "--json", *REMOTE),
    case("brief.md", "brief", TRADE, "-o", "brief.md", *REMOTE),
    case("brief.html", "brief", TRADE, "-o", "brief.html", *REMOTE),
    case("brief.json-file", "brief", TRADE, "-o", "brief.json", *REMOTE),
    case("brief.two-articles", "brief", CHENEY, PANDHER, *REMOTE),
    case("brief.dry-run", "brief", CHENEY, PANDHER, "--dry-run", *REMOTE),
    case("brief.bad-suffix", "brief", TRADE, "-o", "brief.txt", *REMOTE, exit_code=2),
    # check
    case("check.terminal", "check", TRADE, "draft.txt", *REMOTE, exit_code=1),
    case("check.json", "check", TRADE, "draft.txt", "--json", *REMOTE, exit_code=1),
    case("check.stdin", "check", TRADE, "-", *REMOTE, stdin=DRAFT, exit_code=1),
    case("check.all-supported", "check", TRADE, "-", *REMOTE, stdin=GOOD_DRAFT),
    case("check.dry-run", "check", TRADE, "draft.txt", "--dry-run", *REMOTE),
]


# --- running and comparing -------------------------------------------------------------------


@dataclass
class Outcome:
    text: str  # the normalised record: command, exit code, stdout, stderr, written files
    exit_code: int


def _env(home: Path, key: bool) -> dict[str, str]:
    """A clean environment: no developer key, .env, cache or terminal settings leak in."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / "xdg-cache"),
        "PYTHONPATH": str(SRC),
        "PYTHONUTF8": "1",
        "LANG": "C.UTF-8",
        "COLUMNS": "100",
        "LINES": "40",
        "NO_COLOR": "1",
        "TERM": "dumb",
        "NEWSDESK_ENV_FILE": "",
        "NEWSDESK_CACHE_DIR": str(home / "cache"),
        "NEWSDESK_MAX_RETRIES": "0",
        "OPENAI_API_KEY": "sk-golden",
    }
    if not key:
        del env["OPENAI_API_KEY"]
    return env


def _normalise(text: str, url: str, tmp: Path) -> str:
    from newsdesk import __version__

    for root in {str(tmp), str(tmp.resolve())}:
        text = text.replace(root, "<tmp>")
    text = text.replace(url, "<base-url>")
    text = text.replace(f"newsdesk {__version__}", "newsdesk <version>")
    text = text.replace(f"newsdesk/{__version__}", "newsdesk/<version>")
    text = re.sub(r"\b\d+(?:\.\d+)? s\b", "<N> s", text)
    text = re.sub(r"\b\d+(?:\.\d+)? articles/s\b", "<N> articles/s", text)
    text = re.sub(r'("seconds"|"elapsed"): [0-9.e-]+', r"\1: <N>", text)
    return "\n".join(line.rstrip() for line in text.splitlines())


def _section(title: str, body: str) -> str:
    return f"=== {title}\n{body}\n" if body else f"=== {title} (empty)\n"


def run_case(c: Case, url: str) -> Outcome:
    tmp = Path(tempfile.mkdtemp(prefix="newsdesk-golden-"))
    try:
        home, work = tmp / "home", tmp / "work"
        home.mkdir()
        work.mkdir()
        for name, src in ARTICLES.items():
            shutil.copy(src, work / name)
        (work / "draft.txt").write_text(DRAFT, encoding="utf-8")
        before = {p for p in work.rglob("*")}
        args = [url if a == URL else a for a in c.args]
        proc = None
        for _ in range(c.runs):
            proc = subprocess.run(
                [sys.executable, "-m", "newsdesk", *args],
                cwd=work,
                env=_env(home, c.key),
                input=c.stdin or "",
                capture_output=True,
                text=True,
                encoding="utf-8",
                timeout=120,
            )
        assert proc is not None
        parts = [
            f"$ newsdesk {' '.join(_quote(a) for a in c.args)}\n",
            f"=== exit {proc.returncode}\n",
            _section("stdout", proc.stdout),
            _section("stderr", proc.stderr),
        ]
        for path in sorted(p for p in work.rglob("*") if p not in before and p.is_file()):
            parts.append(_section(f"file {path.relative_to(work)}", path.read_text("utf-8")))
        text = _normalise("".join(parts), url, tmp) + "\n"
        return Outcome(text, proc.returncode)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _quote(arg: str) -> str:
    return arg if re.fullmatch(r"[\w./:{}=-]+", arg) else json.dumps(arg)


@pytest.fixture(scope="module")
def outcomes(request: pytest.FixtureRequest) -> Iterator[dict[str, Outcome]]:
    """Every selected case, run at once (each its own subprocess) against one scripted server."""
    wanted = {
        item.callspec.params["c"].name
        for item in request.session.items
        if getattr(item, "module", None) is sys.modules[__name__] and hasattr(item, "callspec")
    }
    selected = [c for c in CASES if c.name in wanted]
    with (
        ScriptedServer(responder=extractive_responder) as srv,
        ThreadPoolExecutor(max(2, os.cpu_count() or 1)) as pool,
    ):
        results = pool.map(lambda c: run_case(c, srv.url), selected)
        yield dict(zip((c.name for c in selected), results, strict=True))


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_output_unchanged(c: Case, outcomes: dict[str, Outcome]) -> None:
    got = outcomes[c.name]
    assert got.exit_code == c.exit_code, got.text
    fixture = OUTPUTS / f"{c.name}.txt"
    if RECORD:
        OUTPUTS.mkdir(exist_ok=True)
        fixture.write_text(got.text, encoding="utf-8")
    assert fixture.is_file(), f"{fixture} is missing: record it with NEWSDESK_RECORD_OUTPUTS=1"
    want = fixture.read_text(encoding="utf-8")
    if got.text != want:
        diff = difflib.unified_diff(
            want.splitlines(keepends=True),
            got.text.splitlines(keepends=True),
            fromfile=f"recorded {fixture.name}",
            tofile="now",
        )
        pytest.fail(f"{c.name}: the output changed\n{''.join(diff)}", pytrace=False)


def test_every_fixture_belongs_to_a_case() -> None:
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))
    stale = sorted(p.name for p in OUTPUTS.glob("*.txt") if p.stem not in names)
    assert stale == [], f"fixtures with no case (delete them): {stale}"


def test_the_stand_in_model_cites_real_sentences() -> None:
    """The responder is what gives the fixtures meaning: it must cite the article's real
    sentences, answer from them, and say when the article does not answer."""
    from newsdesk.article import load_article

    doc = load_article(EXAMPLE)
    sentences = [(s.id, s.text) for s in doc.sentences]
    prompt = "\n".join(f"[{i}] {t}" for i, t in sentences)
    assert _answer(f"{prompt}\nQuestion: {XI}", sentences) == {
        "answer": "Mr Xi agreed to consider purchases only in the context of a broader final "
        "agreement",
        "citations": ["S16"],
        "answerable": True,
    }
    assert _answer(f"{prompt}\nQuestion: {NOT_SAID}", sentences)["answerable"] is False
    assert _verdict(f"<claim>\n{GOOD_DRAFT.strip()}\n</claim>", sentences) == {"verdict": "stated"}
