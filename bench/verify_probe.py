"""The entailment reader on a hand-written probe: 16 claims about the example article, each with
the verdict a careful reader gives (stated, contradicted, not stated), written for this bench
from the article alone (not from any evaluation data).

Prints, on the same claims in one run:

- **newsdesk check**: `check_lines` on the claims as a draft (the fast filter, one short call
  per claim, attribution): verdict accuracy, stated-or-not accuracy, seconds per claim;
- **the reader alone**: the model's verdicts before attribution (what `entailment` adds), and
  how well its confidence (`confidence`, p(stated)) ranks the stated claims above the rest;
- **lexical rule alone** (the baseline, no model): a claim passes when `grounding.ground`
  finds it in its two nearest sentences.

    .venv/bin/python bench/verify_probe.py [--model NAME] [--use-env] [-v]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

try:
    from newsdesk.article import load_article
except ImportError:  # running from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from newsdesk.article import load_article

from newsdesk.config import Settings, load_settings
from newsdesk.entailment import Claim, nearest
from newsdesk.grounding import ground
from newsdesk.llm.client import LLMClient
from newsdesk.tasks.check import check_lines

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "us-china-trade-talks.txt"
S, C, N = "stated", "contradicted", "not stated"
PROBE = [
    (S, "The US and China are set to relaunch trade talks this week."),
    (S, "Three sources said the Chinese side did not make firm commitments to immediately "
        "purchase agricultural commodities."),
    (C, "The Chinese side made firm commitments to immediately purchase agricultural "
        "commodities."),
    (S, "Dr Scissors said both sides got what they wanted out of the Summit."),
    (C, "Mr Xi agreed to restart large purchases of US agricultural commodities."),
    (S, "Trump agreed to suspend a new round of tariffs on US$300 billion worth of Chinese goods."),
    (C, "Trump agreed to impose a new round of tariffs on US$300 billion worth of Chinese goods."),
    (S, "Claire Reade is a former China trade negotiator at USTR."),
    (N, "Claire Reade is the chief negotiator for China."),
    (S, "A small purchase of American rice was made by a private Chinese firm."),
    (C, "China has made large purchases of American farm goods since the summit."),
    (S, "Trade deal talks broke down in early May."),
    (C, "Peter Navarro said top-end US semiconductors would be sold to Huawei."),
    (S, "The Group of 20 Summit took place in Osaka."),
    (N, "Mr Mnuchin will travel to Beijing next week."),
    (S, "Washington and Beijing appear to have different ideas of what the two leaders agreed."),
]  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None, help="embedded model (default: the default one)")
    ap.add_argument("--use-env", action="store_true", help="use OPENAI_* settings, not embedded")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    settings = load_settings(use_cache=False) if args.use_env else Settings(use_cache=False)
    if args.model:
        settings = settings.with_overrides(model=args.model)
    llm = LLMClient(settings)
    article = load_article(EXAMPLE)
    gold = [g for g, _ in PROBE]
    lines = [t for _, t in PROBE]

    near = nearest([Claim(t) for t in lines], article.sentences)
    lexical = [
        S if ground(t, [s.id for s in n], article).supported else N
        for t, n in zip(lines, near, strict=True)
    ]

    t0 = time.perf_counter()
    result = check_lines(article, lines, llm)
    seconds = (time.perf_counter() - t0) / len(lines)
    to_reading = {"supported": S, "attributed": S, "contradicted": C}
    reader = [to_reading.get(s.verdict, N) for s in result.sentences]
    final = [S if s.verdict == "supported" else "failed" for s in result.sentences]

    def score(got: list[str]) -> str:
        pairs = list(zip(got, gold, strict=True))
        three = sum(g == w for g, w in pairs)
        two = sum((g == S) == (w == S) for g, w in pairs)
        false_pass = sum(g == S and w != S for g, w in pairs)
        true_flag = sum(g != S and w == S for g, w in pairs)
        return (
            f"{two}/{len(gold)} stated-or-not, {three}/{len(gold)} all three verdicts; "
            f"false claims passed {false_pass}/{sum(w != S for w in gold)}, "
            f"true claims flagged {true_flag}/{sum(w == S for w in gold)}"
        )

    if args.verbose:
        for (want, text), r, lx, s in zip(PROBE, reader, lexical, result.sentences, strict=True):
            sure = f"{s.confidence:.2f}" if s.confidence is not None else "-"
            print(
                f"{want:12} reader {r:12} lexical {lx:10} check {s.verdict:12} "
                f"p(stated) {sure:4} {text[:50]}"
            )
    print(f"probe: {len(PROBE)} claims about the example article; model {llm.model}")
    print(f"  the reader (entailment, before attribution): {score(reader)}")
    print(
        f"  newsdesk check, stated and not someone else's claim: "
        f"{sum((f == S) == (g == S) for f, g in zip(final, gold, strict=True))}/{len(gold)} "
        f"(score {result.score:.2f}; {sum(s.verdict == 'attributed' for s in result.sentences)} "
        "attributed elsewhere)"
    )
    sure = [s.confidence for s in result.sentences]
    if all(c is not None for c in sure):
        pos = [c for c, g in zip(sure, gold, strict=True) if g == S]
        neg = [c for c, g in zip(sure, gold, strict=True) if g != S]
        wins = sum((a > b) + 0.5 * (a == b) for a in pos for b in neg)  # type: ignore[operator]
        print(
            f"  the reader's confidence p(stated): ROC AUC {wins / (len(pos) * len(neg)):.3f} "
            "for stated against the rest"
        )
    print(f"  lexical rule alone (baseline, no model): {score(lexical)}")
    print(
        f"  {seconds:.2f} s per claim (one process; loading the model and reading the article "
        "once included)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
