"""`newsdesk brief` vs separate `summarize` + `stance` + `ask` runs; what prefix reuse saves.

    .venv/bin/python bench/brief_latency.py [--article PATH] [--question Q] [--repeat N]
        [--no-states] [--no-prefix-reuse]

Embedded model, response cache off (`--no-cache`), each command a fresh process as a user would
run it (so each separate command pays its own model load). Saved KV states (kvstate.py) as a
user meets them on a new article: `brief` gets a fresh cache dir of its own, and the three
separate commands share another fresh one, so the first of them reads the article and the
others restore its state (`--no-states`: NEWSDESK_KV_CACHE_MB=0, every command reads it).
Prints wall time, model seconds and tokens for `brief`, for each separate command and for
their sum, all in the same run. Then, in-process on one embedded server, brief's three calls
sent raw with llama.cpp's `cache_prompt` on and off, reading the server's own `timings` (tokens
evaluated, tokens reused from the KV cache, prompt milliseconds): what the shared article-first
prefix saves (`--no-prefix-reuse` skips it).

Timing runs share two cores with other work: the bench holds /tmp/newsdesk-bench.lock (flock)
so timing benches do not overlap, and prints the load average beside the figures.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "us-china-trade-talks.txt"
NEWSDESK = str(Path(sys.executable).parent / "newsdesk")
LOCK = "/tmp/newsdesk-bench.lock"


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def available(command: str) -> bool:
    r = subprocess.run([NEWSDESK, command, "--help"], capture_output=True, text=True)
    return r.returncode == 0


def run_cli(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """One fresh process; wall time plus the usage totals from its --json output."""
    start = time.perf_counter()
    r = subprocess.run([NEWSDESK, *args], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if r.returncode != 0:
        return {"error": (r.stderr.strip().splitlines() or ["?"])[-1], "wall": wall}
    usages: list[dict[str, Any]] = []
    text = r.stdout.strip()
    try:
        docs = [json.loads(text)]
    except json.JSONDecodeError:  # one JSON object per line (ask with several questions)
        docs = [json.loads(line) for line in text.splitlines() if line.strip()]
    for d in docs:
        if isinstance(d, dict) and isinstance(d.get("usage"), dict):
            usages.append(d["usage"])
    return {
        "wall": wall,
        "model_s": sum(float(u.get("seconds", 0)) for u in usages),
        "prompt": sum(int(u.get("prompt_tokens", 0)) for u in usages),
        "completion": sum(int(u.get("completion_tokens", 0)) for u in usages),
        "calls": sum(int(u.get("calls", 0)) for u in usages),
    }


def median_run(args: list[str], env: dict[str, str], repeat: int) -> dict[str, Any]:
    runs = [run_cli(args, env) for _ in range(repeat)]
    bad = [r for r in runs if "error" in r]
    if bad:
        return bad[0]
    out = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    out["runs"] = [round(r["wall"], 1) for r in runs]
    return out


def row(name: str, r: dict[str, Any]) -> str:
    if "error" in r:
        return f"  {name:<28} failed: {r['error']}"
    return (
        f"  {name:<28} {r['wall']:7.1f} s wall {r['model_s']:7.1f} s model "
        f"{r['prompt']:6.0f} in {r['completion']:5.0f} out {r['calls']:3.0f} calls"
    )


def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    req = urllib.request.Request(
        url + "/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=600) as resp:
        data: dict[str, Any] = json.load(resp)
    return data


def prefix_reuse(article_path: Path) -> None:
    """brief's calls, raw, with llama.cpp's prompt cache on, then off (server timings)."""
    from newsdesk.article import load_article
    from newsdesk.config import load_settings
    from newsdesk.llm.embedded import server_url
    from newsdesk.tasks.brief import build_prompts

    settings = load_settings(use_cache=False)
    article = load_article(article_path)
    _, _, prompts = build_prompts(article, settings.article_budget, settings.model_name)
    url = server_url()
    flush = {
        "model": "m",
        "messages": [{"role": "user", "content": "Unrelated text to evict the cache. JSON: "}],
        "max_tokens": 1,
    }
    print("\nprefix reuse (one in-process server, brief's calls in order; server timings):")
    totals: dict[bool, list[float]] = {}
    for cache in (True, False):
        post(url, {**flush, "cache_prompt": False})
        evaluated = reused = 0
        prompt_ms = total_ms = 0.0
        start = time.perf_counter()
        for p in prompts:
            body = {
                "model": "m",
                "messages": p.messages,
                "max_tokens": p.max_tokens,
                "temperature": 0.0,
                "seed": settings.seed,
                "cache_prompt": cache,
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": p.name, "schema": p.schema, "strict": True},
                },
            }
            t = post(url, body).get("timings", {})
            evaluated += int(t.get("prompt_n", 0))
            reused += int(t.get("cache_n", 0))
            prompt_ms += float(t.get("prompt_ms", 0.0))
            total_ms += float(t.get("prompt_ms", 0.0)) + float(t.get("predicted_ms", 0.0))
        wall = time.perf_counter() - start
        totals[cache] = [prompt_ms, wall]
        label = "cache_prompt on " if cache else "cache_prompt off"
        print(
            f"  {label}: {evaluated:5d} prompt tokens evaluated, {reused:5d} reused from the KV "
            f"cache, prompt {prompt_ms / 1000:5.1f} s, {len(prompts)} calls {wall:5.1f} s wall"
        )
    saved = totals[False][0] - totals[True][0]
    print(
        f"  the shared prefix saves {saved / 1000:.1f} s of prompt processing "
        f"({saved / max(totals[False][0], 1) * 100:.0f}% of it) on this article; "
        f"wall {totals[False][1]:.1f} s -> {totals[True][1]:.1f} s"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--article", type=Path, default=EXAMPLE)
    ap.add_argument("--question", default="What did Xi agree to?")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each command (median)")
    ap.add_argument("--no-lock", action="store_true", help="do not wait for the bench lock")
    ap.add_argument("--no-states", action="store_true", help="no saved KV states")
    ap.add_argument(
        "--no-prefix-reuse", action="store_true", help="skip the raw cache_prompt on/off part"
    )
    args = ap.parse_args()
    if not args.article.is_file():
        print(f"skip: {args.article} not found")
        return
    lock = open(LOCK, "a")  # noqa: SIM115 - held for the whole run
    if not args.no_lock:
        print(f"waiting for {LOCK} ...", flush=True)
        fcntl.flock(lock, fcntl.LOCK_EX)
    sys.path.insert(0, str(ROOT / "src"))
    from newsdesk.config import load_settings

    work = Path(tempfile.mkdtemp(prefix="nd-brief-"))
    env = {
        **os.environ,
        "NEWSDESK_NO_CACHE": "1",
        # the models where they are, not assembled again into the fresh cache dirs
        "NEWSDESK_MODEL_DIR": str(load_settings().embedded_model_dir),
    }
    if args.no_states:
        env["NEWSDESK_KV_CACHE_MB"] = "0"
    for k in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "NEWSDESK_MODEL", "NEWSDESK_GGUF"):
        env.pop(k, None)  # the embedded model
    art = str(args.article)
    states = "no saved KV states" if args.no_states else "saved KV states in fresh cache dirs"
    print(f"article {args.article.name}; embedded model; cache off; {states}; load {load()}")
    brief = median_run(
        ["brief", art, "--json", "--no-cache"],
        {**env, "NEWSDESK_CACHE_DIR": str(work / "brief")},
        args.repeat,
    )
    print(f"  brief done, load {load()}", flush=True)
    env["NEWSDESK_CACHE_DIR"] = str(work / "separate")
    separate: dict[str, dict[str, Any]] = {}
    missing: list[str] = []
    for name, cmd in (
        ("summarize", ["summarize", art, "--json", "--no-cache"]),
        ("stance", ["stance", art, "--json", "--no-cache"]),
        ("ask", ["ask", art, args.question, "--json", "--no-cache"]),
    ):
        if available(name):
            separate[name] = median_run(cmd, env, args.repeat)
        else:
            missing.append(name)
    print("\nseparate commands (each a fresh process):")
    for name, r in separate.items():
        print(row(name, r))
    for name in missing:
        print(f"  {name:<28} not available in this checkout: left out of the sum")
    ok = [r for r in separate.values() if "error" not in r]
    total = {k: sum(r[k] for r in ok) for k in ("wall", "model_s", "prompt", "completion", "calls")}
    print(row(" + ".join(n for n, r in separate.items() if "error" not in r) or "(none)", total))
    print("\nbrief (one fresh process):")
    print(row("brief", brief))
    if "error" not in brief and ok:
        b_tok = brief["prompt"] + brief["completion"]
        s_tok = total["prompt"] + total["completion"]
        print(
            f"\nbrief / sum of separate: wall {brief['wall'] / total['wall']:.2f}x, "
            f"model time {brief['model_s'] / max(total['model_s'], 1e-9):.2f}x, "
            f"tokens {b_tok / max(s_tok, 1):.2f}x"
            + (f" (without {', '.join(missing)})" if missing else "")
        )
    shutil.rmtree(work, ignore_errors=True)
    if not args.no_prefix_reuse:
        prefix_reuse(args.article)
    print(f"\nload {load()} after")


if __name__ == "__main__":
    main()
