"""Sentence segmentation benchmark: how often does a gold evidence sentence come back whole?

Reads MultiRC's CNN slice (`../shared/eval/qa-multirc.jsonl`, or the path given as the first
argument). For every record, the article is segmented with newsdesk's `parse_article`; a gold
`evidence` sentence counts as a hit when the segmenter returns it as exactly one sentence
(compared after collapsing whitespace). The figure is hits / all evidence sentences over all
records (a sentence cited by several questions counts each time); the share of distinct evidence
sentences is printed beside it. A naive baseline is computed in the same run:
`re.split(r'(?<=[.!?])\\s+', paragraph)` over blank-line paragraphs.

    .venv/bin/python bench/segmentation.py [PATH] [-v]

`-v` lists every miss (record id and evidence text) for both splitters.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

try:
    from newsdesk.article import parse_article
except ImportError:  # running from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from newsdesk.article import parse_article

# The eval data sits beside the repository (../shared/eval), or where NEWSDESK_EVAL_DIR says.
ROOT = Path(__file__).resolve().parent.parent
EVAL = Path(os.environ.get("NEWSDESK_EVAL_DIR", ROOT.parent / "shared" / "eval"))
DEFAULT_PATH = EVAL / "qa-multirc.jsonl"

_WS = re.compile(r"\s+")
_NAIVE = re.compile(r"(?<=[.!?])\s+")
_PARAGRAPH = re.compile(r"\n\s*\n")


def norm(text: str) -> str:
    return _WS.sub(" ", text).strip()


def newsdesk_sentences(article: str) -> list[str]:
    return [s.text for s in parse_article(article).sentences]


def naive_sentences(article: str) -> list[str]:
    return [
        norm(piece)
        for paragraph in _PARAGRAPH.split(article)
        for piece in _NAIVE.split(paragraph)
        if piece.strip()
    ]


def score(
    records: list[dict], splitter: Callable[[str], Iterable[str]]
) -> tuple[int, int, list[tuple[str, str]], float, dict[str, bool]]:
    """(hits, total, misses as (id, evidence), seconds splitting, hit per distinct evidence)."""
    hits = total = 0
    distinct: dict[str, bool] = {}
    misses: list[tuple[str, str]] = []
    spent = 0.0
    cache: dict[str, set[str]] = {}
    for rec in records:
        article = rec["article"]
        if article not in cache:
            t0 = time.perf_counter()
            cache[article] = {norm(s) for s in splitter(article)}
            spent += time.perf_counter() - t0
        sentences = cache[article]
        for evidence in rec.get("evidence") or []:
            total += 1
            hit = norm(evidence) in sentences
            distinct[norm(evidence)] = hit
            if hit:
                hits += 1
            else:
                misses.append((rec.get("id", "?"), norm(evidence)))
    return hits, total, misses, spent, distinct


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    ap.add_argument("-v", "--verbose", action="store_true", help="list the misses")
    args = ap.parse_args(argv)

    if not args.path.is_file():
        print(f"segmentation bench: {args.path} not found; skipping")
        return 0
    with args.path.open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    n_articles = len({r["article"] for r in records})

    results = {
        "newsdesk": score(records, newsdesk_sentences),
        "naive regex": score(records, naive_sentences),
    }
    print(f"{args.path}: {len(records)} records, {n_articles} distinct articles")
    print("evidence sentences returned as exactly one sentence:")
    for name, (hits, total, _, spent, distinct) in results.items():
        share = hits / total if total else 0.0
        d_hits, d_total = sum(distinct.values()), len(distinct)
        d_share = d_hits / d_total if d_total else 0.0
        print(
            f"  {name:<12} {share:.3f}  ({hits}/{total})   distinct {d_share:.3f} "
            f"({d_hits}/{d_total})   {spent * 1000:.1f} ms"
        )
    if args.verbose:
        for name, (_, _, misses, _, _) in results.items():
            print(f"\nmisses, {name} ({len(misses)}):")
            for rid, evidence in misses:
                print(f"  [{rid}]\n    {evidence}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
