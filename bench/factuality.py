"""`newsdesk check` as a factuality detector, on FRANK's human judgments.

Reads `../shared/eval/fact-frank.jsonl` (CNN/DM summaries by 5 systems, each judged by people:
`factuality` is the share of a summary's sentences without a factual error; `errors` the same
share per FRANK error type; `baselines` the published metrics on these very summaries) and
scores, in one run, on the same records, how well each checker's per-summary score follows the
human one:

- **lexical rule alone** (the check before this layer): each summary line cites its BM25 top-3
  sentences and goes through `grounding.ground`; the score is the share of lines that pass;
- **newsdesk check**, layer by layer, from the same run (one `check_lines` per summary):
  - *fast filter*: a line naming a name or figure the article never writes fails, the rest pass;
  - *+ entailment*: also the model's reading (one call per summary, on the article prefix);
  - *check* (`score` as `newsdesk check` prints it): also attribution, so a line that states as
    fact what the article only reports someone saying fails;
  - *check confidence* (mean and product over the lines, `confidence_scores`): the reader's
    probability that each line is stated, read from the verdict token's log-probabilities, a
    graded score where the verdicts give a few steps;
- each published baseline in the file (FactCC, DAE, QAGS, FEQA, BERTScore P, ROUGE-1).

Pearson and Spearman with `factuality`, ROC AUC for "the summary has no error" (factuality =
1.0), on the same records for every row; then, per FRANK error type, the share of summaries
with that error that each newsdesk layer flags (score < 1); seconds per summary.

    .venv/bin/python bench/factuality.py [--limit N] [--model NAME] [--use-env] [-v]

`--limit N`: the first N articles (all five systems' summaries of each). The embedded default
model is used unless `--model`, or `--use-env` (OPENAI_BASE_URL / OPENAI_API_KEY / --gguf via
NEWSDESK_GGUF) says otherwise. Response cache off. A missing data file: a message and exit 0.
"""

from __future__ import annotations

import argparse
import json
import math
import os
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
from newsdesk.grounding import ground
from newsdesk.llm.client import LLMClient
from newsdesk.retrieval import top_k
from newsdesk.tasks.check import CheckResult, check_lines

ROOT = Path(__file__).resolve().parent.parent
EVAL = Path(os.environ.get("NEWSDESK_EVAL_DIR", ROOT.parent / "shared" / "eval"))
DATA = EVAL / "fact-frank.jsonl"
CONF_MEAN = "check confidence, mean"
CONF_PRODUCT = "check confidence, product"
ERROR_TYPES = ("EntE", "RelE", "CircE", "CorefE", "OutE", "LinkE", "GramE")


def pearson(x: list[float], y: list[float]) -> float:
    mx, my = statistics.fmean(x), statistics.fmean(y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sx = math.sqrt(sum((a - mx) ** 2 for a in x))
    sy = math.sqrt(sum((b - my) ** 2 for b in y))
    return sxy / (sx * sy) if sx and sy else float("nan")


def ranks(x: list[float]) -> list[float]:
    order = sorted(range(len(x)), key=lambda i: x[i])
    out = [0.0] * len(x)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and x[order[j + 1]] == x[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def spearman(x: list[float], y: list[float]) -> float:
    return pearson(ranks(x), ranks(y))


def roc_auc(scores: list[float], positive: list[bool]) -> float:
    """Probability that a positive outscores a negative (ties count half)."""
    pos = [s for s, p in zip(scores, positive, strict=True) if p]
    neg = [s for s, p in zip(scores, positive, strict=True) if not p]
    if not pos or not neg:
        return float("nan")
    wins = sum((a > b) + 0.5 * (a == b) for a in pos for b in neg)
    return wins / (len(pos) * len(neg))


def lexical_score(article: Any, lines: list[str]) -> float:
    docs = [s.text for s in article.sentences]
    ok = 0
    for line in lines:
        cited = [article.sentences[i].id for i in top_k(docs, line, 3)]
        ok += ground(line, cited, article).supported
    return ok / len(lines) if lines else 0.0


def layer_scores(result: CheckResult) -> dict[str, float]:
    n = len(result.sentences) or 1
    # failed the fast filter: unsupported before any other layer ran
    fast = sum(s.verdict != "unsupported" or len(s.checks) > 1 for s in result.sentences)
    entailed = sum(s.verdict in ("supported", "attributed") for s in result.sentences)
    return {
        "fast filter": fast / n,
        "fast filter + entailment": entailed / n,
        "newsdesk check (+ attribution)": result.score,
    }


def confidence_scores(result: CheckResult) -> dict[str, float]:
    """The check's graded reading of a summary, from each line's `confidence` (the reader's
    probability that the article states it; 1 or 0 where a rule decided). Two rules, fixed
    before any run: the mean estimates the share of lines stated (what FRANK's `factuality`
    is), the product the chance that every line is (what "no error" is). A line no model
    read counts as its verdict (1 supported, else 0)."""
    values = [
        s.confidence if s.confidence is not None else float(s.verdict == "supported")
        for s in result.sentences
    ]
    if not values:
        return {CONF_MEAN: 0.0, CONF_PRODUCT: 0.0}
    return {CONF_MEAN: statistics.fmean(values), CONF_PRODUCT: math.prod(values)}


def settings_for(use_env: bool, model: str | None) -> Settings:
    if use_env:
        return load_settings(use_cache=False)
    return Settings(use_cache=False, model=model)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=0, help="the first N articles (5 summaries each)")
    ap.add_argument("--model", default=None, help="embedded model (default: the default one)")
    ap.add_argument("--use-env", action="store_true", help="use OPENAI_* settings, not embedded")
    ap.add_argument("--path", type=Path, default=DATA)
    ap.add_argument("-v", "--verbose", action="store_true", help="print each line's verdict")
    args = ap.parse_args()
    if not args.path.exists():
        print(f"{args.path}: not found (the eval data sits in ../shared/eval); nothing to do")
        return 0
    records = [json.loads(line) for line in args.path.open(encoding="utf-8")]
    articles: list[str] = list(dict.fromkeys(r["article"] for r in records))
    if args.limit:
        keep = set(articles[: args.limit])
        records = [r for r in records if r["article"] in keep]
    records.sort(key=lambda r: articles.index(r["article"]))  # one article's summaries in a row

    llm = LLMClient(settings_for(args.use_env, args.model))
    scores: dict[str, list[float]] = {}
    human: list[float] = []
    errors: list[dict[str, float]] = []
    seconds: list[float] = []
    current: tuple[str, Any] = ("", None)
    for n, r in enumerate(records, start=1):
        if current[0] != r["article"]:
            current = (r["article"], parse_article(r["article"], r["id"]))
        article = current[1]
        lines = [line for line in r["summary_lines"] if line.strip()]
        t0 = time.perf_counter()
        result = check_lines(article, lines, llm)
        seconds.append(time.perf_counter() - t0)
        row = {
            "lexical rule alone": lexical_score(article, lines),
            **layer_scores(result),
            **confidence_scores(result),
        }
        for name, value in r["baselines"].items():
            row[name] = float(value)
        for name, value in row.items():
            scores.setdefault(name, []).append(value)
        human.append(float(r["factuality"]))
        errors.append(r["errors"])
        if args.verbose:
            print(
                f"[{n}/{len(records)}] {r['id']} human {r['factuality']:.2f} "
                f"check {result.score:.2f} confidence {result.confidence} "
                f"({seconds[-1]:.1f} s)"
            )
            for s in result.sentences:
                print(f"    {s.verdict:12} {s.confidence!s:6} {s.text[:100]}")
        elif n % 10 == 0:
            print(
                f"  {n}/{len(records)} summaries, {statistics.fmean(seconds):.1f} s each",
                file=sys.stderr,
            )

    positive = [h == 1.0 for h in human]
    print(
        f"FRANK dev, {len(records)} summaries of {len({r['article'] for r in records})} "
        f"articles ({sum(positive)} without error), model {llm.model}"
    )
    print(f"{'checker':36} {'Pearson':>8} {'Spearman':>9} {'ROC AUC':>8}")
    for name, values in scores.items():
        print(
            f"{name:36} {pearson(values, human):8.3f} {spearman(values, human):9.3f} "
            f"{roc_auc(values, positive):8.3f}"
        )
    print(
        "\nrecall per FRANK error type: share of summaries with that error flagged (score < 1; "
        "the graded confidence rows flag almost everything at < 1, so they are not listed)"
    )
    layers = ["lexical rule alone", *layer_scores(CheckResult()).keys()]
    print(f"{'type':8} {'n':>4} " + " ".join(f"{name[:24]:>25}" for name in layers))
    for t in ERROR_TYPES:
        idx = [i for i, e in enumerate(errors) if e.get(t, 1.0) < 1.0]
        if not idx:
            continue
        cells = [sum(scores[name][i] < 1.0 for i in idx) / len(idx) for name in layers]
        print(f"{t:8} {len(idx):4} " + " ".join(f"{c:25.2f}" for c in cells))
    clean = [i for i, p in enumerate(positive) if p]
    cells = [sum(scores[name][i] < 1.0 for i in clean) / len(clean) for name in layers]
    print(
        f"{'(none)':8} {len(clean):4} "
        + " ".join(f"{c:25.2f}" for c in cells)
        + "   <- false alarms: error-free summaries flagged"
    )
    print(
        f"\n{statistics.fmean(seconds):.2f} s per summary "
        f"(median {statistics.median(seconds):.2f}), "
        f"{llm.usage.total().prompt_tokens} prompt + {llm.usage.total().completion_tokens} "
        "completion tokens"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
