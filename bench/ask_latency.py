"""Latency of `ask` on the example article, each figure beside a bare-xllamacpp floor in one run.

    .venv/bin/python bench/ask_latency.py [--model NAME] [--repeat 1] [--spec-rounds 2]

Rows (newsdesk, then the floor: bench/bare_ask.py, which imports no newsdesk, starts the server
with newsdesk's params and sends newsdesk's request bodies):
- cold process: `newsdesk ask --no-cache` with no saved state, process start to exit; floor: a
  bare process that starts the server and sends the same request (and saves the slot, as
  newsdesk does);
- second process: another question on the same article in a new process, which restores the
  saved state of the first (target <= 0.35x cold); floor: a bare process that restores the
  floor's own state file and sends the same request;
- warm follow-up: the next questions in one process (target <= 1.15x floor); floor: the same
  requests in one bare server that restored its own saved state, as newsdesk's restored its
  own; the answers' lengths are printed side by side, and the ratio is also given per generated
  token and over the questions both sides answered with the same number of tokens (a question's
  time follows its answer's length, so only those compare like with like);
- decode tokens/s with and without n-gram speculation (NEWSDESK_SPECULATIVE): bare processes,
  off and on alternated, each restoring the floor's state and sending the warm follow-ups;
  beside them the second-process `newsdesk ask` with NEWSDESK_SPECULATIVE=0 and 1, alternated;
- cache hit: a repeated `newsdesk ask` answered from the response cache (target <= 0.3 s);
  floor: `python -c pass` and `newsdesk --help` (target <= 0.15 s).
Peak RSS of each process (the model runs in-process, so it counts the model and its KV cache).
A fresh cache dir for the run: the user's cache is neither read nor filled.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
EXAMPLE = ROOT / "examples" / "us-china-trade-talks.txt"
BIN = Path(sys.executable).parent
BARE = Path(__file__).resolve().parent / "bare_ask.py"
QUESTIONS = [
    "What did Xi agree to?",
    "Who is Peter Navarro?",
    "When did the trade talks break down?",
    "What is the US demanding from China?",
]


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) and stdout of one process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{cmd[:3]} failed: {err.read().decode()[-2000:]}")
        return seconds, usage.ru_maxrss / 1024, out.read().decode()


def bodies(questions: list[str]) -> list[dict[str, Any]]:
    """The request bodies newsdesk sends for these questions on the example article."""
    from newsdesk.article import load_article
    from newsdesk.config import load_settings
    from newsdesk.tasks.ask import build_prompt
    from newsdesk.tasks.profile import small_model

    s = load_settings(use_cache=False)
    article = load_article(EXAMPLE)
    made = []
    for q in questions:
        p = build_prompt(article, q, s.article_budget, s.model_name, small=small_model(s))
        made.append(
            {
                "model": s.model_name,
                "messages": p.messages,
                "max_tokens": p.max_tokens,
                "temperature": s.temperature,
                "seed": s.seed,
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": p.name, "schema": p.schema, "strict": True},
                },
            }
        )
    return made


def bare(spec: dict[str, Any], env: dict[str, str], folder: Path) -> tuple[float, float, Any]:
    """One bare process: wall seconds, peak RSS, its JSON report."""
    from newsdesk.config import load_settings
    from newsdesk.llm.embedded import (
        NGRAM_M,
        NGRAM_N,
        default_batch_threads,
        default_threads,
        model_file,
    )

    s = load_settings(use_cache=False)
    path, template = model_file(s.model_name, s.embedded_model_dir)
    full = {
        "model_path": str(path),
        "chat_template": template,
        "n_ctx": s.context_size,
        "threads": int(os.environ.get("NEWSDESK_THREADS") or default_threads()),
        "threads_batch": int(
            os.environ.get("NEWSDESK_THREADS_BATCH")
            or os.environ.get("NEWSDESK_THREADS")
            or default_batch_threads()
        ),
        "state_dir": str(folder),
        "restore": None,
        "save": None,
        "speculative": [NGRAM_N, NGRAM_M] if s.speculative else None,
        **spec,
    }
    spec_file = folder / "spec.json"
    spec_file.write_text(json.dumps(full))
    seconds, rss, out = run([sys.executable, str(BARE), str(spec_file)], env)
    return seconds, rss, json.loads(out)


def newsdesk_warm(questions: list[str], repeat: int) -> tuple[list[float], list[int]]:
    """Seconds and generated tokens per follow-up question in one process (after a first
    one, not counted)."""
    from newsdesk.article import load_article
    from newsdesk.config import load_settings
    from newsdesk.llm.client import LLMClient
    from newsdesk.tasks.ask import ask

    article = load_article(EXAMPLE)
    llm = LLMClient(load_settings(use_cache=False))
    ask(article, QUESTIONS[0], llm)  # starts the server, reads (or restores) the article
    warms, tokens = [], []
    for r in range(repeat):
        for q in questions:
            before = len(llm.usage.records)
            start = time.perf_counter()
            ask(article, q if r == 0 else f"{q} ", llm)  # a new question each round
            warms.append(time.perf_counter() - start)
            tokens.append(sum(u.completion_tokens for u in llm.usage.records[before:]))
    return warms, tokens


def floor_warm(
    questions: list[str], repeat: int, env: dict[str, str], folder: Path
) -> tuple[list[float], list[int]]:
    sent = [QUESTIONS[0]] + [q if r == 0 else f"{q} " for r in range(repeat) for q in questions]
    # restores its saved state, as newsdesk's process restores its own
    _, _, report = bare({"bodies": bodies(sent), "restore": "floor.kvstate"}, env, folder)
    done = report["requests"][1:]
    return [r["seconds"] for r in done], [int(r["timings"]["predicted_n"]) for r in done]


def decode_rate(report: Any) -> float:
    """Generated tokens per second of decoding, over a bare process's requests."""
    t = [r["timings"] for r in report["requests"]]
    return sum(x["predicted_n"] for x in t) / (sum(x["predicted_ms"] for x in t) / 1000)


def speculation(
    rounds: int, ask1: list[str], env: dict[str, str], folder: Path
) -> dict[str, dict[str, list[float]]]:
    """Off and on alternated: decode tokens/s and seconds a question of a bare process sending
    the warm follow-ups after restoring the floor's state, and the seconds of a second-process
    `newsdesk ask` (restored state), for each setting."""
    from newsdesk.llm.embedded import NGRAM_M, NGRAM_N

    sent = bodies(QUESTIONS[1:])
    out: dict[str, dict[str, list[float]]] = {
        k: {"rate": [], "question": [], "ask": [], "drafted": [], "accepted": []}
        for k in ("off", "on")
    }
    for _ in range(rounds):
        for key, flag in (("off", "0"), ("on", "1")):
            spec = [NGRAM_N, NGRAM_M] if key == "on" else None
            _, _, report = bare(
                {"bodies": sent, "restore": "floor.kvstate", "speculative": spec}, env, folder
            )
            row = out[key]
            row["rate"].append(decode_rate(report))
            row["question"] += [r["seconds"] for r in report["requests"]]
            t = [r["timings"] for r in report["requests"]]
            row["drafted"].append(sum(x.get("draft_n", 0) for x in t))
            row["accepted"].append(sum(x.get("draft_n_accepted", 0) for x in t))
            row["ask"].append(run([*ask1, "--no-cache"], {**env, "NEWSDESK_SPECULATIVE": flag})[0])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="an embedded model's name (default: newsdesk's default)")
    ap.add_argument("--repeat", type=int, default=1, help="rounds of warm follow-up questions")
    ap.add_argument(
        "--spec-rounds", type=int, default=2, help="rounds of speculation off/on (0: skip)"
    )
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="nd-bench-"))
    from newsdesk.config import load_settings as settings_now

    # the models where they are (not assembled again into the fresh cache dir)
    os.environ["NEWSDESK_MODEL_DIR"] = str(settings_now().embedded_model_dir)
    os.environ["NEWSDESK_CACHE_DIR"] = str(work / "cache")  # also for the in-process runs
    if args.model:
        os.environ["NEWSDESK_MODEL"] = args.model
    env = dict(os.environ)
    from newsdesk.config import load_settings
    from newsdesk.llm.embedded import default_batch_threads, default_threads

    settings = load_settings()
    model = settings.model_name
    from newsdesk.llm.embedded import model_file

    with model_file(model, settings.embedded_model_dir)[0].open("rb") as fh:
        while fh.read(1 << 24):  # the page cache holds the model, as on any later start
            pass
    gen = os.environ.get("NEWSDESK_THREADS")
    batch = os.environ.get("NEWSDESK_THREADS_BATCH") or gen or default_batch_threads()
    threads = f"{gen or default_threads()} generating / {batch} reading"
    print(f"{model}; threads {threads}; cores {os.cpu_count()}; load average:", end=" ")
    print(" ".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)

    nd = str(BIN / "newsdesk")
    ask0 = [nd, "ask", str(EXAMPLE), QUESTIONS[0], "--json"]
    ask1 = [nd, "ask", str(EXAMPLE), QUESTIONS[1], "--json"]
    floor_dir = work / "floor"
    floor_dir.mkdir()
    b0, b1 = bodies(QUESTIONS[:2])
    rows: list[tuple[str, float, float | None, str]] = []
    rss: dict[str, float] = {}

    cold, rss["cold ask"], out = run([*ask0, "--no-cache"], env)
    cold_usage = json.loads(out)["usage"]
    f_cold, rss["floor cold"], f_cold_r = bare(
        {"bodies": [b0], "save": "floor.kvstate"}, env, floor_dir
    )
    rows.append(("cold process", cold, f_cold, ""))

    second, rss["second ask"], out = run([*ask1, "--no-cache"], env)
    second_usage = json.loads(out)["usage"]
    f_second, rss["floor second"], f_second_r = bare(
        {"bodies": [b1], "restore": "floor.kvstate"}, env, floor_dir
    )
    rows.append(
        ("second process (restored)", second, f_second, f"<= 0.35x cold: {second / cold:.2f}x")
    )

    run(ask0, env)  # fill the response cache
    hits = [run(ask0, env) for _ in range(5)]
    hit = statistics.median(h[0] for h in hits)
    rss["cache hit"] = max(h[1] for h in hits)
    bare_py = statistics.median(run([sys.executable, "-c", "pass"], env)[0] for _ in range(5))
    rows.append(("cache hit end to end (median)", hit, bare_py, f"<= 0.3 s: {hit:.3f} s"))
    helps = [run([nd, "--help"], env)[0] for _ in range(5)]
    helpm = statistics.median(helps)
    rows.append(("newsdesk --help (median)", helpm, bare_py, f"<= 0.15 s: {helpm:.3f} s"))
    spec = speculation(args.spec_rounds, ask1, env, floor_dir) if args.spec_rounds else None

    # In-process runs last: a child's peak RSS as Linux reports it includes the parent's
    # at fork time, and from here on this process holds a model.
    f_warm, f_tokens = floor_warm(QUESTIONS[1:], args.repeat, env, floor_dir)
    n_warm, n_tokens = newsdesk_warm(QUESTIONS[1:], args.repeat)
    fw, nw = statistics.median(f_warm), statistics.median(n_warm)
    rows.append(("warm follow-up (median)", nw, fw, f"<= 1.15x floor: {nw / fw:.2f}x"))
    per_token = (sum(n_warm) / sum(n_tokens)) / (sum(f_warm) / sum(f_tokens))
    same = [(n, f) for n, f, a, b in zip(n_warm, f_warm, n_tokens, f_tokens, strict=True) if a == b]

    print(f"\n{'':32} {'newsdesk':>9} {'floor':>9} {'ratio':>6}  target")
    for name, ours, floor, target in rows:
        ratio = f"{ours / floor:.2f}x" if floor else ""
        print(f"{name:32} {ours:>8.3f}s {floor or 0:>8.3f}s {ratio:>6}  {target}")
    print("(floor of the cache hit and --help rows: `python -c pass`)")
    print(f"warm follow-up per generated token: {per_token:.2f}x floor", end="")
    if same:
        ratio = sum(n for n, _ in same) / sum(f for _, f in same)
        print(f"; over the {len(same)} of {len(n_warm)} questions of equal length: {ratio:.2f}x")
    else:
        print("; no question answered with equal lengths")
    if spec is not None:
        off, on = spec["off"], spec["on"]
        med = statistics.median
        print(f"\nspeculation, {args.spec_rounds} rounds off/on alternated (median):")
        print(f"  decode tokens/s (floor): off {med(off['rate']):.2f}, on {med(on['rate']):.2f}")
        print(
            f"  seconds a follow-up question (floor): off {med(off['question']):.2f}, "
            f"on {med(on['question']):.2f}; drafted {on['drafted']}, accepted {on['accepted']}"
        )
        print(
            f"  second-process newsdesk ask end to end: off {med(off['ask']):.2f} s, "
            f"on {med(on['ask']):.2f} s ({med(on['ask']) / med(off['ask']):.2f}x)"
        )
        print(f"  each round: off {off['rate']} tok/s, on {on['rate']} tok/s")

    def tokens(usage: dict[str, Any]) -> str:
        return f"{usage['prompt_tokens']} prompt tokens, {usage['cached_prompt_tokens']} cached"

    def timing(report: Any) -> str:
        t = report["requests"][0]["timings"]
        return f"server read {t['prompt_n']} prompt tokens, {t['cache_n']} from cache"

    print(
        f"\ncold ask: {tokens(cold_usage)}; "
        f"floor: {timing(f_cold_r)}, start {f_cold_r['start_s']:.2f} s"
    )
    print(
        f"second ask: {tokens(second_usage)}; floor: {timing(f_second_r)}, "
        f"start {f_second_r['start_s']:.2f} s, restore {f_second_r.get('restore_s', 0):.3f} s"
    )
    # KV reuse changes the numerics, so the two may write answers of different lengths
    print(f"warm follow-ups, tokens generated: newsdesk {n_tokens}, floor {f_tokens}")
    print("peak RSS: " + ", ".join(f"{k} {v:.0f} MB" for k, v in rss.items()))
    print("load average at the end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
