"""`newsdesk serve` against the cold CLI, each figure beside its baseline from the same run.

    .venv/bin/python bench/serve_latency.py [--model NAME] [--clients 8] [--questions 5]

- baseline: a cold `newsdesk ask --no-cache` on the example article (a new process, no saved
  KV state: model load, reading the article, the answer), process start to exit;
- first answer: `POST /api/ask` on the same article, new to a running desk (its model loaded
  at start; fresh caches), target <= 0.8x the baseline;
- follow-up: further questions on that article, target <= 0.1x the baseline (median);
- load: `--clients` clients at once, client i asking `--questions` questions about article
  i mod 4 (the four MultiRC CNN articles with the most questions, ../shared/eval), every answer
  checked: its question echoed, every citation the verbatim text of that id in its own article
  and in no other (nothing crossed), no request lost; p50/p95 latency, and how often a cited
  sentence is one of MultiRC's gold evidence sentences (answer quality, for the record);
- Ctrl-C: SIGINT to the desk, seconds to a clean exit (code 0).
The server runs with --no-cache (every answer is real work) on fresh cache dirs; the user's
caches are neither read nor filled. Model files are shared with the user's (not re-assembled).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
EXAMPLE = ROOT / "examples" / "us-china-trade-talks.txt"
MULTIRC = ROOT.parent / "shared" / "eval" / "qa-multirc.jsonl"
BIN = Path(sys.executable).parent
FIRST = "What did Xi agree to?"
FOLLOW_UPS = [
    "Who is Peter Navarro?",
    "When did the talks break down?",
    "What is the US demanding?",
]


def env_for(cache: Path, model: str | None) -> dict[str, str]:
    from newsdesk.modelfiles import default_model_dir

    env = dict(os.environ)
    user_cache = os.environ.get("NEWSDESK_CACHE_DIR")
    env["NEWSDESK_MODEL_DIR"] = os.environ.get("NEWSDESK_MODEL_DIR") or str(
        default_model_dir(Path(user_cache) if user_cache else None)
    )
    env["NEWSDESK_CACHE_DIR"] = str(cache)
    env["NEWSDESK_ENV_FILE"] = ""
    for k in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "NEWSDESK_GGUF"):
        env.pop(k, None)
    if model:
        env["NEWSDESK_MODEL"] = model
    return env


def post(url: str, body: dict[str, Any], timeout: float = 900) -> tuple[int, dict[str, Any]]:
    req = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}, method="POST"
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def cold_cli(env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [str(BIN / "newsdesk"), "ask", "--no-cache", "--json", str(EXAMPLE), FIRST],
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def start_desk(env: dict[str, str], port: int) -> tuple[subprocess.Popen[bytes], float]:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(BIN / "newsdesk"), "serve", "--port", str(port), "--no-cache"],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while True:
        if proc.poll() is not None:
            raise SystemExit("newsdesk serve exited")
        try:
            with opener.open(f"http://127.0.0.1:{port}/api/info", timeout=2):
                return proc, time.perf_counter() - start
        except OSError:
            time.sleep(0.2)


def load_articles() -> list[dict[str, Any]]:
    from newsdesk.article import parse_article

    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in MULTIRC.read_text().splitlines():
        row = json.loads(line)
        groups[row["article"]].append(row)
    chosen = sorted(groups.items(), key=lambda kv: -len(kv[1]))[:4]
    return [
        {
            "text": text,
            "rows": rows,
            "sentences": {s.id: s.text for s in parse_article(text).sentences},
        }
        for text, rows in chosen
    ]


def check_answer(
    record: dict[str, Any], question: str, own: dict[str, Any], others: list[dict[str, Any]]
) -> str | None:
    """What is wrong with an answer (None: nothing): echo, verbatim, not crossed."""
    if record.get("question") != question:
        return f"answered {record.get('question')!r} for {question!r}"
    for c in record.get("citations", []):
        if own["sentences"].get(c["id"]) != c["text"]:
            return f"{c['id']} is not its own article's sentence"
        if any(c["text"] in o["sentences"].values() for o in others):
            return f"{c['id']} is another article's sentence"
    return None


def load(base: str, articles: list[dict[str, Any]], clients: int, questions: int) -> dict[str, Any]:
    times: list[float] = []
    problems: list[str] = []
    evidence_hits = answered = 0
    lock = threading.Lock()

    def client(i: int) -> None:
        nonlocal evidence_hits, answered
        own = articles[i % len(articles)]
        others = [a for a in articles if a is not own]
        rows = own["rows"]
        offset = (i // len(articles)) * questions
        for k in range(questions):
            row = rows[(offset + k) % len(rows)]
            start = time.perf_counter()
            try:
                status, record = post(
                    base + "api/ask", {"article": own["text"], "question": row["question"]}
                )
            except Exception as exc:  # a lost request is a result, not a crash of the bench
                status, record = 0, {"error": str(exc)}
            seconds = time.perf_counter() - start
            with lock:
                times.append(seconds)
                if status != 200:
                    problems.append(f"client {i}: HTTP {status}: {record.get('error')}")
                    continue
                issue = check_answer(record, row["question"], own, others)
                if issue:
                    problems.append(f"client {i}: {issue}")
                cited = {c["text"] for c in record.get("citations", [])}
                answered += 1
                if any(any(e in t or t in e for t in cited) for e in row["evidence"]):
                    evidence_hits += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    ordered = sorted(times)
    return {
        "requests": len(times),
        "answered": answered,
        "problems": problems,
        "p50": statistics.median(ordered),
        "p95": ordered[max(0, round(0.95 * len(ordered)) - 1)],
        "wall": wall,
        "evidence_hits": evidence_hits,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="embedded model (default: the default one)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--questions", type=int, default=5)
    args = parser.parse_args()
    if not MULTIRC.exists():
        raise SystemExit(f"{MULTIRC}: not found (the eval data lives next to the repository)")
    articles = load_articles()
    with tempfile.TemporaryDirectory() as tmp:
        cli_env = env_for(Path(tmp) / "cli", args.model)
        desk_env = env_for(Path(tmp) / "desk", args.model)
        print(f"load avg  {os.getloadavg()[0]:.1f} at start", flush=True)
        cold = cold_cli(cli_env)
        print(f"baseline  cold CLI ask (process start to exit)      {cold:7.2f} s", flush=True)
        port = free_port()
        proc, startup = start_desk(desk_env, port)
        base = f"http://127.0.0.1:{port}/"
        print(f"          desk start to ready (model loaded)       {startup:7.2f} s", flush=True)
        example = EXAMPLE.read_text()
        t0 = time.perf_counter()
        status, record = post(base + "api/ask", {"article": example, "question": FIRST})
        first = time.perf_counter() - t0
        cited = [c["id"] for c in record.get("citations", [])]
        print(
            f"serve     first answer, new article                 {first:7.2f} s  "
            f"{first / cold:.2f}x (target <= 0.8x)  HTTP {status}, cites {cited}",
            flush=True,
        )
        follow = []
        for q in FOLLOW_UPS:
            t0 = time.perf_counter()
            status, _ = post(base + "api/ask", {"article": example, "question": q})
            follow.append(time.perf_counter() - t0)
            assert status == 200, status
        med = statistics.median(follow)
        print(
            f"serve     follow-up on the same article (median)    {med:7.2f} s  "
            f"{med / cold:.2f}x (target <= 0.1x)  each: {', '.join(f'{s:.2f}' for s in follow)}",
            flush=True,
        )
        n = args.clients * args.questions
        res = load(base, articles, args.clients, args.questions)
        print(
            f"load      {args.clients} clients x {args.questions} questions, 4 articles: "
            f"{res['requests']}/{n} requests, {res['answered']} answered, "
            f"{len(res['problems'])} wrong/lost; p50 {res['p50']:.2f} s, p95 {res['p95']:.2f} s, "
            f"wall {res['wall']:.1f} s; cited a gold evidence sentence: "
            f"{res['evidence_hits']}/{res['answered']}",
            flush=True,
        )
        for p in res["problems"][:10]:
            print(f"          {p}")
        print(f"load avg  {' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1/5/15 min)")
        t0 = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=60)
        print(f"Ctrl-C    clean exit: code {code} after {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
