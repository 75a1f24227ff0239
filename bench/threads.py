"""Threads for the embedded model: 1 vs 2 (or --threads), idle and with a second process busy.

    .venv/bin/python bench/threads.py [--model qwen2.5-coder-1.5b] [--threads 1 2] [--runs 2]

Each thread count gets a server started as newsdesk starts it (NEWSDESK_THREADS, poll 0) and a
short bare request: the example article's first sentences (~250 tokens) and 32 generated tokens
(ignore_eos, cache_prompt off, so every run reads the whole prompt). Printed: the server's own
prompt and generation tokens/s and the request's wall time, best of --runs, idle and while
`python -c 'while True: pass'` keeps one core busy.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
EXAMPLE = ROOT / "examples" / "us-china-trade-talks.txt"


def post(url: str, body: dict[str, Any]) -> tuple[dict[str, Any], float]:
    req = urllib.request.Request(
        url + "/v1/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    start = time.perf_counter()
    with urllib.request.urlopen(req, timeout=900) as resp:
        data: dict[str, Any] = json.load(resp)
    return data, time.perf_counter() - start


def measure(url: str, text: str, runs: int) -> tuple[float, float, float, int]:
    """Best prompt tok/s, best generation tok/s, best wall seconds, prompt tokens."""
    body = {
        "model": "m",
        "messages": [{"role": "user", "content": f"{text}\n\nSummarise the text above."}],
        "max_tokens": 32,
        "ignore_eos": True,
        "temperature": 0.0,
        "cache_prompt": False,
    }
    pp, tg, walls, n = [], [], [], 0
    for _ in range(runs):
        data, wall = post(url, body)
        t = data["timings"]
        pp.append(float(t["prompt_per_second"]))
        tg.append(float(t["predicted_per_second"]))
        walls.append(wall)
        n = int(t["prompt_n"])
    return max(pp), max(tg), min(walls), n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="qwen2.5-coder-1.5b")
    ap.add_argument("--threads", nargs="+", default=["1", "2"], help="N, or GEN/BATCH (e.g. 1/2)")
    ap.add_argument("--runs", type=int, default=2)
    a = ap.parse_args()

    from newsdesk.llm.embedded import _start, model_file
    from newsdesk.modelfiles import default_model_dir

    path, template = model_file(a.model, default_model_dir())
    sentences = EXAMPLE.read_text().split(". ")
    text = ". ".join(sentences[:12])
    print(f"{a.model}; cores {os.cpu_count()}; load average at start {os.getloadavg()[0]:.2f}")
    print("threads  condition  prompt tok/s  gen tok/s  wall s (prompt tokens)")
    for threads in a.threads:
        gen, _, batch = threads.partition("/")
        os.environ["NEWSDESK_THREADS"] = gen
        os.environ["NEWSDESK_THREADS_BATCH"] = batch or gen
        start = time.perf_counter()
        server = _start(path, template, 8192, None)
        print(f"{threads:>7}  server start {time.perf_counter() - start:.2f} s", flush=True)
        url = server.listening_address.rstrip("/")
        post(url, {"model": "m", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1})
        for condition in ("idle", "busy"):
            hog = None
            if condition == "busy":
                hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
                time.sleep(0.5)
            try:
                pp, tg, wall, n = measure(url, text, a.runs)
            finally:
                if hog is not None:
                    hog.kill()
                    hog.wait()
            load = os.getloadavg()[0]
            print(
                f"{threads:>7}  {condition:<9}  {pp:>12.1f}  {tg:>9.1f}  {wall:>6.2f} ({n})"
                f"   load avg {load:.2f}",
                flush=True,
            )
        del server


if __name__ == "__main__":
    main()
