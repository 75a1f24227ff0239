"""`summarize` quality benchmark: ROUGE of `--length short` against reference highlights.

Reads FRANK's CNN/DailyMail slice (`../shared/eval/summ-frank.jsonl`: article, reference
highlights, `baselines.bart.summary`) and scores, in the same run and on the same records:

- **ranking (no model)**: `newsdesk.tasks.summarize.extractive`: the deterministic ranking's
  sentences, what newsdesk prints when no model writes the lines;
- **model: NAME**, for each `--model` (default: the default embedded model):
  `summarize(length="short", use_model=True)` on that embedded model (response cache off): an
  instruction-tuned model writes its own lines, kept only where grounded; the 270M base model
  picks sentences from the ranking's best n+1;
- **lead-3**: the article's first three sentences (newsdesk's segmenter);
- **BART**: the BART-large system summaries shipped in the file.

ROUGE-1, -2 and -Lsum F1 (the `rouge-score` package, Porter stemming on), every summary and
reference split one sentence a line (newsdesk's segmenter) as ROUGE-Lsum expects; means over
records. Also: s/article (wall), lines per summary, share of lines in the model's own words,
unsupported lines, per model.

    .venv/bin/python bench/summary_quality.py [--limit N] [--path FILE] [--model NAME ...]
        [--use-env] [-v]

The embedded model is used even when OPENAI_* variables are set, unless `--use-env` is given.
A missing data file: a message and exit 0.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    from newsdesk.article import parse_article
except ImportError:  # running from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from newsdesk.article import parse_article

from newsdesk.config import Settings, load_settings
from newsdesk.llm.client import LLMClient
from newsdesk.tasks.summarize import SummaryResult, extractive, summarize

# The eval data sits beside the repository (../shared/eval), or where NEWSDESK_EVAL_DIR says.
ROOT = Path(__file__).resolve().parent.parent
EVAL = Path(os.environ.get("NEWSDESK_EVAL_DIR", ROOT.parent / "shared" / "eval"))
FRANK = EVAL / "summ-frank.jsonl"
METRICS = ("rouge1", "rouge2", "rougeLsum")


def lines_of(text: str) -> str:
    """One sentence a line (what ROUGE-Lsum splits on)."""
    try:
        return "\n".join(s.text for s in parse_article(text).sentences)
    except Exception:  # an empty or unparsable summary scores as empty
        return ""


def result_text(result: SummaryResult) -> str:
    return "\n".join(lines_of(line.text) for line in result.lines)


class Scores:
    def __init__(self) -> None:
        from rouge_score import rouge_scorer

        self.scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
        self.rows: dict[str, list[dict[str, float]]] = {}

    def add(self, system: str, reference: str, summary: str) -> dict[str, float]:
        s = self.scorer.score(reference, summary)
        row = {m: s[m].fmeasure for m in METRICS}
        self.rows.setdefault(system, []).append(row)
        return row

    def mean(self, system: str) -> dict[str, float]:
        rows = self.rows.get(system, [])
        return {m: statistics.fmean(r[m] for r in rows) if rows else 0.0 for m in METRICS}


def settings_for(use_env: bool, model: str | None = None) -> Settings:
    if use_env:
        return load_settings(use_cache=False)
    # an embedded model, whatever the environment says
    return Settings(use_cache=False, model=model)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=0, help="first N records only (0: all)")
    ap.add_argument("--path", type=Path, default=FRANK)
    ap.add_argument("--use-env", action="store_true", help="use OPENAI_* settings, not embedded")
    ap.add_argument(
        "--model", action="append", help="embedded model; repeat to compare models in one run"
    )
    ap.add_argument("-v", "--verbose", action="store_true", help="print every summary")
    args = ap.parse_args(argv)

    if not args.path.is_file():
        print(f"skipped: {args.path} not found (the eval data is not on this machine)")
        return 0
    records = [json.loads(line) for line in args.path.read_text().splitlines() if line.strip()]
    if args.limit:
        records = records[: args.limit]

    scores = Scores()
    clients = [(LLMClient(settings_for(args.use_env, m)), m) for m in (args.model or [None])]
    for llm, _ in clients:
        llm.base_url()  # start each embedded server before the clock runs
    stats = {llm.model: Stats() for llm, _ in clients}
    for k, rec in enumerate(records, start=1):
        article = parse_article(rec["article"])
        reference = lines_of(rec["reference"])
        scores.add("ranking (no model)", reference, result_text(extractive(article, "short")))
        for llm, _ in clients:
            start = time.perf_counter()
            # use_model=True: the model's own lines (or picks), even where the shipped default
            # for that model is the ranking alone, so the two are compared on the same records
            result = summarize(article, llm, "short", use_model=True)
            st = stats[llm.model]
            st.seconds.append(time.perf_counter() - start)
            row = scores.add(f"model: {llm.model}", reference, result_text(result))
            st.add(result)
            if args.verbose:
                ids = " ".join(",".join(line.ids) or "-" for line in result.lines)
                print(f"[{k}/{len(records)}] {llm.model} {st.seconds[-1]:.1f}s ", end="")
                print(f"R1={row['rouge1']:.3f} ids: {ids}")
                for line in result.lines:
                    print(f"    {line.source:7s} {line.text[:110]}")
        lead3 = "\n".join(s.text for s in article.sentences[:3])
        scores.add("lead-3", reference, lead3)
        scores.add("BART (in file)", reference, lines_of(rec["baselines"]["bart"]["summary"]))

    n = len(records)
    print(f"summ-frank: {n} records, --length short, cache off, same run")
    print(f"{'system':30s} {'ROUGE-1':>8s} {'ROUGE-2':>8s} {'ROUGE-Lsum':>10s}")
    for system in scores.rows:
        m = scores.mean(system)
        print(f"{system:30s} {m['rouge1']:8.4f} {m['rouge2']:8.4f} {m['rougeLsum']:10.4f}")
    for model, st in stats.items():
        print(f"{model}: " + "; ".join(f"{k} {v}" for k, v in st.report(n).items()))
    return 0


@dataclass
class Stats:
    """Per model: where its summary lines came from, and time."""

    seconds: list[float] = field(default_factory=list)
    lines: int = 0
    own_words: int = 0
    picked: int = 0
    unsupported: int = 0
    ranking_only: int = 0

    def add(self, result: SummaryResult) -> None:
        self.lines += len(result.lines)
        self.own_words += sum(line.source == "model" for line in result.lines)
        self.picked += sum(line.source == "picked" for line in result.lines)
        self.unsupported += len(result.unsupported)
        self.ranking_only += all(line.source == "extract" for line in result.lines)

    def report(self, n: int) -> dict[str, Any]:
        return {
            "s/article": round(statistics.fmean(self.seconds), 2) if self.seconds else 0.0,
            "lines/summary": round(self.lines / max(1, n), 2),
            "lines in the model's own words (grounded)": f"{self.own_words}/{self.lines}",
            "lines quoting a sentence it cited": f"{self.picked}/{self.lines}",
            "unsupported lines": self.unsupported,
            "summaries with no line from the model": self.ranking_only,
        }


if __name__ == "__main__":
    raise SystemExit(main())
