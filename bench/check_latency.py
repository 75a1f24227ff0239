"""What the semantic check costs, as whole processes on the example article, each figure beside
its baseline in the same run (rounds alternated, medians):

- **ask, entailment on vs off**: a cold `newsdesk ask --no-cache` (no saved article state, a
  fresh cache dir each time) with the check's model reading (the default) against the same
  command with `NEWSDESK_ENTAILMENT=0` (lexical and attribution checks only). Target: on ≤ 1.25×
  off.
- **check on a 3-line draft, article state saved**: `newsdesk check --no-cache` on a
  paraphrased draft (every line goes to the model: no line is a verbatim copy, none names what
  the article never writes), in a cache dir where an earlier process saved the article's state,
  against the cold ask (entailment on) of the same round. Target: ≤ 0.3×.

    .venv/bin/python bench/check_latency.py [--model NAME] [--rounds 3]

The embedded model's files are shared with the user's (not assembled again); the response cache
and saved states live in a temporary directory.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
EXAMPLE = ROOT / "examples" / "us-china-trade-talks.txt"
NEWSDESK = Path(sys.executable).parent / "newsdesk"
QUESTION = "What did Xi agree to?"
# Paraphrases written for this bench from the article alone: the model must read each one.
DRAFT = (
    "The United States and China plan to resume their trade negotiations this week.\n"
    "According to three people who know the state of the talks, China made no firm promise "
    "to buy farm goods.\n"
    "Derek Scissors expects the negotiations to go on for months.\n"
)


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Wall seconds and stdout of one process (exit 1 is check's "a line failed")."""
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd[:2])} failed: {done.stderr[-2000:]}")
    return seconds, done.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", help="embedded model (default: the project's default)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    from newsdesk.config import load_settings

    settings = load_settings(model=args.model) if args.model else load_settings()
    work = Path(tempfile.mkdtemp(prefix="check-latency-"))
    draft = work / "draft.txt"
    draft.write_text(DRAFT)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "NEWSDESK_"))}
    base["NEWSDESK_ENV_FILE"] = ""
    base["NEWSDESK_MODEL_DIR"] = str(settings.embedded_model_dir)
    base["NEWSDESK_MODEL"] = settings.model_name
    ask = [str(NEWSDESK), "ask", str(EXAMPLE), QUESTION, "--no-cache"]
    check = [str(NEWSDESK), "check", str(EXAMPLE), str(draft), "--no-cache", "--json"]

    rows: dict[str, list[float]] = {"ask on": [], "ask off": [], "check saved": []}
    verdicts: list[str] = []
    try:
        for r in range(args.rounds):
            for name, flag in (("ask on", "1"), ("ask off", "0"))[:: 1 if r % 2 == 0 else -1]:
                cache = work / f"cache-{r}-{flag}"  # no saved state: a cold read of the article
                env = {**base, "NEWSDESK_CACHE_DIR": str(cache), "NEWSDESK_ENTAILMENT": flag}
                rows[name].append(timed(ask, env)[0])
            # the "on" cache dir of this round holds the article's saved state now
            env = {**base, "NEWSDESK_CACHE_DIR": str(work / f"cache-{r}-1")}
            seconds, out = timed(check, env)
            rows["check saved"].append(seconds)
            verdicts = [s["verdict"] for s in json.loads(out)["sentences"]]
            print(f"round {r + 1}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in rows.items()))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    med = {k: statistics.median(v) for k, v in rows.items()}
    load = os.getloadavg()[0]
    print(f"\n{settings.model_name}, {args.rounds} rounds alternated, load {load:.1f} at the end")
    print(f"{'what':<44} {'median s':>9} {'ratio':>7}")
    print(f"{'cold ask, entailment off (baseline)':<44} {med['ask off']:>9.1f} {'1.00':>7}")
    ratio = med["ask on"] / med["ask off"]
    print(f"{'cold ask, entailment on (target <= 1.25x)':<44} {med['ask on']:>9.1f} {ratio:>6.2f}x")
    ratio = med["check saved"] / med["ask on"]
    print(
        f"{'check, 3-line draft, state saved':<44} {med['check saved']:>9.1f} {ratio:>6.2f}x"
        " of the cold ask (entailment on; target <= 0.3x)"
    )
    print(f"the draft's verdicts (last round): {verdicts}")


if __name__ == "__main__":
    main()
