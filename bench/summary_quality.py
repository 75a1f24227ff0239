"""`summarize` quality benchmark: ROUGE of `--length short` against reference highlights.

Reads FRANK's CNN/DailyMail slice (`/work/shared/eval/summ-frank.jsonl`: article, reference
highlights, `baselines.bart.summary`) and scores, in the same run and on the same records:

- **newsdesk**: `newsdesk.tasks.summarize.summarize(length="short")` as shipped: with the small
  bundled model that is the deterministic ranking's sentences, no model call;
- **newsdesk, model picks**: the same with `use_model=True`: the embedded model picks the lines
  from the ranking's best n+1 sentences (response cache off): what the model's choice adds or
  costs;
- **lead-3**: the article's first three sentences (newsdesk's segmenter);
- **BART**: the BART-large system summaries shipped in the file.

ROUGE-1, -2 and -Lsum F1 (the `rouge-score` package, Porter stemming on), every summary and
reference split one sentence a line (newsdesk's segmenter) as ROUGE-Lsum expects; means over
records. Also: s/article (wall), lines per summary, share of lines in the model's own words,
unsupported lines (the line counts are for the model-picks run).

    .venv/bin/python bench/summary_quality.py [--limit N] [--path FILE] [--use-env] [-v]

The embedded model is used even when OPENAI_* variables are set, unless `--use-env` is given.
A missing data file: a message and exit 0.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

try:
    from newsdesk.article import parse_article
except ImportError:  # running from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from newsdesk.article import parse_article

from newsdesk.config import Settings, load_settings
from newsdesk.llm.client import LLMClient
from newsdesk.tasks.summarize import SummaryResult, summarize

FRANK = Path("/work/shared/eval/summ-frank.jsonl")
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


def settings_for(use_env: bool) -> Settings:
    if use_env:
        return load_settings(use_cache=False)
    return Settings(use_cache=False)  # the embedded model, whatever the environment says


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=0, help="first N records only (0: all)")
    ap.add_argument("--path", type=Path, default=FRANK)
    ap.add_argument("--use-env", action="store_true", help="use OPENAI_* settings, not embedded")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every summary")
    args = ap.parse_args(argv)

    if not args.path.is_file():
        print(f"skipped: {args.path} not found (the eval data is not on this machine)")
        return 0
    records = [json.loads(line) for line in args.path.read_text().splitlines() if line.strip()]
    if args.limit:
        records = records[: args.limit]

    settings = settings_for(args.use_env)
    llm = LLMClient(settings)
    llm.base_url()  # start the embedded server before the clock runs
    scores = Scores()
    seconds: list[float] = []  # model picks
    shipped_seconds: list[float] = []
    n_lines = own_words = picked = unsupported = fallbacks = 0
    for k, rec in enumerate(records, start=1):
        article = parse_article(rec["article"])
        reference = lines_of(rec["reference"])
        start = time.perf_counter()
        shipped = summarize(article, llm, "short")
        shipped_seconds.append(time.perf_counter() - start)
        scores.add("newsdesk", reference, result_text(shipped))
        start = time.perf_counter()
        result = summarize(article, llm, "short", use_model=True)
        seconds.append(time.perf_counter() - start)
        row = scores.add("newsdesk, model picks", reference, result_text(result))
        lead3 = "\n".join(s.text for s in article.sentences[:3])
        scores.add("lead-3", reference, lead3)
        scores.add("BART (in file)", reference, lines_of(rec["baselines"]["bart"]["summary"]))
        n_lines += len(result.lines)
        own_words += sum(line.source == "model" for line in result.lines)
        picked += sum(line.source == "picked" for line in result.lines)
        unsupported += len(result.unsupported)
        fallbacks += all(line.source == "extract" for line in result.lines)
        if args.verbose:
            ids = " ".join(",".join(line.ids) or "-" for line in result.lines)
            print(f"[{k}/{len(records)}] {seconds[-1]:.1f}s R1={row['rouge1']:.3f} ids: {ids}")
            for line in result.lines:
                print(f"    {line.source:7s} {line.text[:110]}")

    n = len(records)
    print(f"summ-frank: {n} records, --length short, model {settings.model_name}")
    print(f"{'system':22s} {'ROUGE-1':>8s} {'ROUGE-2':>8s} {'ROUGE-Lsum':>10s}")
    for system in scores.rows:
        m = scores.mean(system)
        print(f"{system:22s} {m['rouge1']:8.4f} {m['rouge2']:8.4f} {m['rougeLsum']:10.4f}")
    report: dict[str, Any] = {
        "s/article, newsdesk": round(statistics.fmean(shipped_seconds), 3) if seconds else 0.0,
        "s/article, model picks": round(statistics.fmean(seconds), 2) if seconds else 0.0,
        "lines/summary": round(n_lines / max(1, n), 2),
        "lines in the model's own words": f"{own_words}/{n_lines}",
        "lines quoting a sentence the model picked": f"{picked}/{n_lines}",
        "unsupported lines": unsupported,
        "summaries with no line from the model (ranking only)": fallbacks,
        "total model seconds": round(sum(seconds), 1),
    }
    for key, value in report.items():
        print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
