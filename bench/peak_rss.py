"""Peak RSS of one `newsdesk brief` (or another command) on a 200 KB article with the embedded
model, which runs in the same process (xllamacpp), so the figure includes the model and its
KV cache. Target: <= 1 GiB.

    .venv/bin/python bench/peak_rss.py [--kb 200] [--command brief|summarize|ask]

The article is FRANK articles from ../shared/eval/summ-frank.jsonl joined until it reaches
the size (skips cleanly if absent). The cache is off, so the model really runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL = Path(os.environ.get("NEWSDESK_EVAL_DIR", ROOT.parent / "shared" / "eval"))
BIN = Path(sys.executable).parent


def build_article(kb: int) -> str | None:
    src = EVAL / "summ-frank.jsonl"
    if not src.is_file():
        return None
    parts: list[str] = []
    size = 0
    for line in src.open():
        if size >= kb * 1024:
            break
        text = json.loads(line)["article"]
        parts.append(text)
        size += len(text.encode()) + 2
    return "\n\n".join(parts)[: kb * 1024]


def measure(args: list[str], env: dict[str, str]) -> tuple[int, float, float, bytes]:
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        err.seek(0)
        return os.waitstatus_to_exitcode(status), seconds, usage.ru_maxrss / 1024, err.read()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kb", type=int, default=200)
    ap.add_argument("--command", default="brief", choices=["brief", "summarize", "ask", "stance"])
    a = ap.parse_args()
    text = build_article(a.kb)
    if text is None:
        print(f"skipped: {EVAL / 'summ-frank.jsonl'} not found (set NEWSDESK_EVAL_DIR)")
        return
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    env.update({"NEWSDESK_NO_CACHE": "1", "NEWSDESK_ENV_FILE": ""})
    with tempfile.TemporaryDirectory() as tmp:
        article = Path(tmp) / "big.txt"
        article.write_text(text)
        extra = {
            "brief": ["-o", str(Path(tmp) / "brief.md")],
            "ask": ["What did the police say?"],
        }.get(a.command, [])
        # the baseline: the same process doing no model work (imports, --help)
        _, _, rss_help, _ = measure([str(BIN / "newsdesk"), a.command, "--help"], env)
        code, seconds, rss, err = measure(
            [str(BIN / "newsdesk"), a.command, str(article), *extra], env
        )
    load = os.getloadavg()
    print(f"newsdesk {a.command} on a {len(text.encode()) / 1024:.0f} KB article, embedded model")
    print(f"exit {code} in {seconds:.1f} s; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(
        f"peak RSS: {rss:.0f} MiB (target <= 1024 MiB);"
        f" `{a.command} --help` alone: {rss_help:.0f} MiB"
    )
    if code != 0:
        print("stderr: " + err.decode()[-1500:])


if __name__ == "__main__":
    main()
