"""Party discovery quality on BASIL: how many of each article's main entities `stance` finds.

    .venv/bin/python bench/stance_quality.py                   # deterministic, 144 articles
    .venv/bin/python bench/stance_quality.py --full --limit 30   # + the full command (model)

Reads /work/shared/eval/stance-basil.jsonl (skips with a message when absent). For every article:
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
import re
import sys
import time
from pathlib import Path

EVAL = Path("/work/shared/eval/stance-basil.jsonl")
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

    det_all, det_top, model_only, full, full_all = Tally(), Tally(), Tally(), Tally(), Tally()
    llm = None
    if args.full:
        from newsdesk.config import load_settings
        from newsdesk.llm.client import LLMClient

        llm = LLMClient(load_settings())
    t_det = t_full = 0.0
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
        if llm is not None:
            from newsdesk.tasks.stance import analyse_stance

            t0 = time.perf_counter()
            result = analyse_stance(article, llm, max_parties=cap)
            if args.verbose:
                print(f"  model kept {result.model_proposed} rejected {result.model_rejected}")
            t_full += time.perf_counter() - t0
            full.add(entities, [(p.name, p.aliases) for p in result.parties], text)
            listed = [*result.parties, *result.others]
            full_all.add(entities, [(p.name, p.aliases) for p in listed], text)
            model_only.add(entities, [(n, []) for n in result.model_proposed], text)
    n = len(records)
    print(f"BASIL stance-basil.jsonl: {n} articles, {det_all.total} main entities")
    print(f"spaCy en_core_web_sm NER (issue baseline)    recall {SPACY_BASELINE:.3f}")
    print(det_all.line("deterministic candidates (all)", n))
    print(det_top.line(f"deterministic candidates (first {cap})", n))
    print(f"  deterministic: {1000 * t_det / max(n, 1):.1f} ms/article")
    if llm is not None:
        print(model_only.line("model proposals alone (kept if in text)", n))
        print(full.line(f"full command: parties analysed ({cap} max)", n))
        print(full_all.line("full command: all parties listed", n))
        usage = llm.usage.total()
        print(
            f"  full command: {t_full / max(n, 1):.1f} s/article, "
            f"{usage.prompt_tokens} tokens in / {usage.completion_tokens} out, {usage.calls} calls"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
