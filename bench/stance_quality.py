"""Party discovery quality on BASIL: how many of each article's main entities `stance` finds.

    .venv/bin/python bench/stance_quality.py                   # deterministic, 144 articles
    .venv/bin/python bench/stance_quality.py --full --limit 30   # + the full command (model)
    .venv/bin/python bench/stance_quality.py --full --limit 10 \
        --model qwen2.5-coder-1.5b --model gemma-3-270m          # both embedded models, one run

Reads ../shared/eval/stance-basil.jsonl (skips with a message when absent). For every article:
  - recall: the share of `main_entities` found among the parties (micro-averaged over all
    entities). Alias-aware: an entity counts as found when a party's name or alias has the same
    words (case, possessives, titles, "Jr." and plural -s ignored), or the same surname (last
    word), or, for a group entity ending in a generic noun ("Republican lawmakers", "Colorado
    officials", "Obama administration"), when a party's words include all its other words;
  - invented: party names (and aliases) that do not occur in the article text. Must be 0.

Figures printed, same run, same records: the deterministic candidates alone (all of them, and
the first N the command asks the model about), the model's own proposals alone, and the full
command (deterministic + model). The issue's baseline: spaCy en_core_web_sm NER finds 0.861.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

# The eval data sits beside the repository (../shared/eval), or where NEWSDESK_EVAL_DIR says.
ROOT = Path(__file__).resolve().parent.parent
EVAL = (
    Path(os.environ.get("NEWSDESK_EVAL_DIR", ROOT.parent / "shared" / "eval"))
    / "stance-basil.jsonl"
)
SPACY_BASELINE = 0.861

_TITLES = frozenset(
    "mr mrs ms dr sen rep gov president senator representative the a an jr sr ii iii".split()
)
_GENERIC = frozenset(
    """lawmaker official leader member candidate company administration campaign committee
    people supporter critic protester group""".split()
)


def _singular(w: str) -> str:
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        return w[:-1]
    return w


def words(name: str) -> list[str]:
    name = re.sub(r"['’]s\b", "", name.lower())
    toks = re.findall(r"[a-z0-9][a-z0-9.-]*", name)
    out = [_singular(t.strip(".")) for t in toks if t.strip(".") not in _TITLES]
    return ["democrat" if w == "democratic" else w for w in out]  # "Democratic lawmakers"


def entity_found(entity: str, names: list[str]) -> bool:
    e = words(entity)
    if not e:
        return False
    for name in names:
        n = words(name)
        if not n:
            continue
        if e == n or e[-1] == n[-1]:
            return True
        if e[-1] in _GENERIC and len(e) > 1 and set(e[:-1]) <= set(n):
            return True
    return False


def occurs(name: str, text: str) -> bool:
    norm = " ".join(text.split()).lower()
    return " ".join(name.split()).lower() in norm


class Tally:
    def __init__(self) -> None:
        self.found = 0
        self.total = 0
        self.invented = 0
        self.parties = 0

    def add(self, entities: list[str], parties: list[tuple[str, list[str]]], text: str) -> None:
        names = [alias for name, aliases in parties for alias in [name, *aliases]]
        self.total += len(entities)
        self.found += sum(entity_found(e, names) for e in entities)
        self.parties += len(parties)
        self.invented += sum(not occurs(n, text) for n in names)

    def line(self, label: str, articles: int) -> str:
        recall = self.found / self.total if self.total else 0.0
        return (
            f"{label:<44} recall {recall:.3f} ({self.found}/{self.total})  "
            f"parties/article {self.parties / max(articles, 1):.1f}  invented {self.invented}"
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=0, help="first N articles only")
    ap.add_argument("--full", action="store_true", help="also run the full command (model)")
    ap.add_argument(
        "--max-parties", type=int, default=None, help="parties the model is asked about"
    )
    ap.add_argument("--verbose", action="store_true", help="print missed entities")
    ap.add_argument(
        "--model", action="append", help="embedded model for --full; repeat to compare in one run"
    )
    args = ap.parse_args()
    if not EVAL.exists():
        print(f"skipped: {EVAL} not found (the shared eval data is not on this machine)")
        return 0

    from newsdesk.article import parse_article
    from newsdesk.parties import find_parties
    from newsdesk.tasks.stance import DEFAULT_MAX_PARTIES

    cap = args.max_parties or DEFAULT_MAX_PARTIES
    records = [json.loads(line) for line in EVAL.read_text().splitlines() if line.strip()]
    if args.limit:
        records = records[: args.limit]

    det_all, det_top = Tally(), Tally()
    runs: list[FullRun] = []
    if args.full:
        from newsdesk.config import load_settings
        from newsdesk.llm.client import LLMClient

        for model in args.model or [None]:
            settings = load_settings(use_cache=False)
            if model:  # an embedded model by name, whatever the environment says
                settings = replace(settings, base_url=None, api_key=None, gguf=None, model=model)
            runs.append(FullRun(LLMClient(settings)))
    t_det = 0.0
    for rec in records:
        article = parse_article(rec["article"], rec["id"])
        text, entities = rec["article"], rec["main_entities"]
        t0 = time.perf_counter()
        cands = find_parties(article)
        t_det += time.perf_counter() - t0
        det_all.add(entities, [(c.name, c.aliases) for c in cands], text)
        det_top.add(entities, [(c.name, c.aliases) for c in cands[:cap]], text)
        if args.verbose:
            names = [a for c in cands for a in [c.name, *c.aliases]]
            missed = [e for e in entities if not entity_found(e, names)]
            if missed:
                print(f"  {rec['id'][:12]} missed {missed}; top: {[c.name for c in cands[:8]]}")
        for run in runs:
            run.add(article, rec, cap, args.verbose)
    n = len(records)
    print(f"BASIL stance-basil.jsonl: {n} articles, {det_all.total} main entities")
    print(f"spaCy en_core_web_sm NER (issue baseline)    recall {SPACY_BASELINE:.3f}")
    print(det_all.line("deterministic candidates (all)", n))
    print(det_top.line(f"deterministic candidates (first {cap})", n))
    print(f"  deterministic: {1000 * t_det / max(n, 1):.1f} ms/article")
    for run in runs:
        run.report(n, cap)
    return 0


class FullRun:
    """The full command on one model: who it analyses, and how its positions fare."""

    def __init__(self, llm: Any) -> None:
        self.llm = llm
        self.model_only, self.full, self.full_all = Tally(), Tally(), Tally()
        self.seconds = 0.0
        self.speakers = self.speakers_analysed = 0
        self.analysed = self.model_positions = self.rechecked = self.printed = 0

    def add(self, article: Any, rec: dict[str, Any], cap: int, verbose: bool) -> None:
        from newsdesk.grounding import ground
        from newsdesk.tasks.stance import analyse_stance

        text, entities = rec["article"], rec["main_entities"]
        t0 = time.perf_counter()
        result = analyse_stance(article, self.llm, max_parties=cap)
        self.seconds += time.perf_counter() - t0
        if verbose:
            print(f"  model kept {result.model_proposed} rejected {result.model_rejected}")
        self.full.add(entities, [(p.name, p.aliases) for p in result.parties], text)
        listed = [*result.parties, *result.others]
        self.full_all.add(entities, [(p.name, p.aliases) for p in listed], text)
        self.model_only.add(entities, [(n, []) for n in result.model_proposed], text)
        analysed = [p for p in result.parties if p.analysed]
        names = [a for p in analysed for a in [p.name, *p.aliases]]
        named = [sp for sp in rec.get("speakers", []) if sp in text]  # "other anti" is no name
        self.speakers += len(named)
        self.speakers_analysed += sum(entity_found(sp, names) for sp in named)
        self.analysed += len(analysed)
        self.model_positions += len(analysed) - result.ungrounded
        for p in result.parties:  # what a reader sees, checked again against the article
            if p.position:
                self.printed += 1
                ids = [c.id for c in p.evidence]
                self.rechecked += ground(p.position, ids, article, ignore=p.name).supported

    def report(self, n: int, cap: int) -> None:
        llm = self.llm
        print(f"full command, model {llm.model} ({llm.endpoint}):")
        print(self.model_only.line("  model proposals alone (kept if in text)", n))
        print(self.full.line(f"  parties analysed ({cap} max + the quoted)", n))
        print(self.full_all.line("  all parties listed", n))
        print(
            f"  named speakers (BASIL `speakers` in the text) analysed: "
            f"{self.speakers_analysed}/{self.speakers}"
        )
        print(
            f"  analysed parties whose position is the model's own (grounded): "
            f"{self.model_positions}/{self.analysed}; printed positions that pass the grounding "
            f"check against their evidence: {self.rechecked}/{self.printed}"
        )
        usage = llm.usage.total()
        print(
            f"  {self.seconds / max(n, 1):.1f} s/article, {usage.prompt_tokens} tokens in / "
            f"{usage.completion_tokens} out, {usage.calls} calls"
        )


if __name__ == "__main__":
    sys.exit(main())
