"""Latency of `ask` on the example article, beside a bare-xllamacpp floor measured in the same run.

    .venv/bin/python bench/ask_latency.py [--repeat 3]

Prints: `newsdesk --help` start-up; cold `ask` (process start to exit, cache off); warm `ask`
(the next question in the same process); the floor (the same prompts and schema sent straight to
an xllamacpp server from a bare script); a cache hit end to end (second identical run).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
EXAMPLE = ROOT / "examples" / "us-china-trade-talks.txt"
BIN = Path(sys.executable).parent
QUESTIONS = [
    "What did Xi agree to?",
    "Who is Peter Navarro?",
    "When did the trade talks break down?",
    "What is the US demanding from China?",
]


def wall(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def newsdesk_warm(repeat: int) -> tuple[list[float], list[float]]:
    """Seconds per question in one process: first (cold server, warm process) and the rest."""
    from newsdesk.article import load_article
    from newsdesk.config import load_settings
    from newsdesk.llm.client import LLMClient
    from newsdesk.tasks.ask import ask

    article = load_article(EXAMPLE)
    llm = LLMClient(load_settings(use_cache=False))
    llm.base_url()  # start the server outside the timings
    firsts, warms = [], []
    for r in range(repeat):
        for i, q in enumerate(QUESTIONS):
            q = q if r == 0 else f"{q} "  # a new question each round (no response cache anyway)
            start = time.perf_counter()
            ask(article, q, llm)
            (firsts if i == 0 and r == 0 else warms).append(time.perf_counter() - start)
    return firsts, warms


def floor(repeat: int) -> tuple[list[float], list[float]]:
    """The same prompts and schema sent straight to xllamacpp through the openai client."""
    import xllamacpp
    from openai import OpenAI

    from newsdesk.article import load_article
    from newsdesk.config import load_settings
    from newsdesk.llm.embedded import default_threads, model_file
    from newsdesk.tasks.ask import build_prompt

    settings = load_settings(use_cache=False)
    article = load_article(EXAMPLE)
    params = xllamacpp.CommonParams()
    path, template = model_file(settings.model_name, settings.embedded_model_dir)
    params.model.path = str(path)
    params.port = 0
    params.n_parallel = 1
    params.n_ctx = settings.context_size
    params.verbosity = -1
    params.use_jinja = True
    params.swa_full = True  # as newsdesk does: lets llama.cpp reuse the shared prefix
    if template is not None:  # None: the template stored in the file
        params.chat_template = template
    for cpu in (params.cpuparams, params.cpuparams_batch):
        cpu.n_threads = default_threads()
        cpu.poll = 0
    server = xllamacpp.Server(params)
    client = OpenAI(base_url=server.listening_address + "/v1", api_key="x", max_retries=0)
    firsts, warms = [], []
    for r in range(repeat):
        for i, q in enumerate(QUESTIONS):
            q = q if r == 0 else f"{q} "
            p = build_prompt(
                article, q, settings.article_budget, settings.model_name, small=settings.small_model
            )
            start = time.perf_counter()
            client.chat.completions.create(
                model="x",
                messages=p.messages,  # type: ignore[arg-type]
                max_tokens=200,
                temperature=0,
                seed=settings.seed,
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": "answer", "schema": p.schema, "strict": True},
                },
            )
            (firsts if i == 0 and r == 0 else warms).append(time.perf_counter() - start)
    del server
    return firsts, warms


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    env = {**os.environ, "NEWSDESK_CACHE_DIR": tempfile.mkdtemp(prefix="nd-bench-")}
    print(f"load average: {os.getloadavg()[0]:.2f}; cores: {os.cpu_count()}")

    help_times = [wall([str(BIN / "newsdesk"), "--help"], env) for _ in range(5)]
    print(f"newsdesk --help        median {statistics.median(help_times):.3f} s  (target <= 0.15)")

    ask_cmd = [str(BIN / "newsdesk"), "ask", str(EXAMPLE), QUESTIONS[0]]
    cold = [wall([*ask_cmd, "--no-cache"], env) for _ in range(args.repeat)]
    print(f"cold ask (process)     median {statistics.median(cold):.3f} s")

    wall(ask_cmd, env)  # fill the cache
    hits = [wall(ask_cmd, env) for _ in range(5)]
    print(f"cache hit (process)    median {statistics.median(hits):.3f} s  (target <= 0.3)")

    f_first, f_warm = floor(args.repeat)
    n_first, n_warm = newsdesk_warm(args.repeat)
    fw, nw = statistics.median(f_warm), statistics.median(n_warm)
    print(f"floor  first question  {f_first[0]:.3f} s   warm median {fw:.3f} s  (bare xllamacpp)")
    print(f"newsdesk first question {n_first[0]:.3f} s   warm median {nw:.3f} s")
    print(f"warm ratio newsdesk/floor: {nw / fw:.2f}x  (target <= 1.15x)")


if __name__ == "__main__":
    main()
