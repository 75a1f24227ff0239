"""`ask` quality benchmark: are the cited sentences the gold evidence, and is the answer right?

Reads MultiRC's CNN slice (`../shared/eval/qa-multirc.jsonl`: article, question, answers, gold
`evidence` sentences) and runs, in the same process and on the same model:

- **newsdesk**: `newsdesk.tasks.ask.ask` on the embedded model (response cache off), and the
  ids the model itself cited before newsdesk's checks ("its model's picks alone");
- **BM25 top-3**: the three best BM25 sentences for the question, taken as citations;
- **naive prompt**: the raw article and the question in a plain prompt, free-text answer
  (first line kept); it cites nothing, so only its answer F1 and time are reported.

Figures
- citation precision / recall / F1, micro-averaged over all questions: a cited sentence is right
  when it matches a gold evidence sentence (one contains the other after whitespace
  normalisation); recall counts the gold sentences matched by some citation;
- answer F1: SQuAD token F1 (lower case, no punctuation, no articles) against the best of
  `answers`; an abstention scores 0;
- abstained: share of questions answered "The article does not say." (all MultiRC questions are
  answerable); unsupported: answers the grounding check flags (key words not in the cited
  sentences) or that have no valid citation;
- s/question: mean wall seconds per question;
- rows for the same answers before the semantic check (the lexical check alone), and with the
  attribution the check adds set aside ("According to X, ..." and the other side's sentence):
  the claim itself, whose answer F1 measures content, while the count of answers given with
  their source is printed apart.

Also, when present, `../shared/eval/qa-newsqa.jsonl` (answers empty = unanswerable): whether
newsdesk abstains exactly when it should; and a few off-topic questions asked of the MultiRC
articles ("What is the capital of Peru?"), which it must not answer as fact.

    .venv/bin/python bench/ask_quality.py [--limit N] [--path FILE] [--newsqa FILE]
        [--model NAME ...] [--gguf FILE] [--template FILE] [--no-naive] [--details OUT.json]
        [--use-env] [-v]

`--model qwen2.5-coder-1.5b --model gemma-3-270m` runs both embedded models in one run.

The embedded model is used even when OPENAI_* variables are set, unless `--use-env` is given.
Missing data files: a message and exit 0.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import string
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    from newsdesk.article import parse_article
except ImportError:  # running from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from newsdesk.article import parse_article

from newsdesk.config import Settings, load_settings
from newsdesk.errors import NewsdeskError
from newsdesk.llm.client import LLMClient
from newsdesk.retrieval import top_k
from newsdesk.tasks.ask import NOT_SAID, AskResult, answer_lexically, confirm

# The eval data sits beside the repository (../shared/eval), or where NEWSDESK_EVAL_DIR says.
ROOT = Path(__file__).resolve().parent.parent
EVAL = Path(os.environ.get("NEWSDESK_EVAL_DIR", ROOT.parent / "shared" / "eval"))
MULTIRC = EVAL / "qa-multirc.jsonl"
NEWSQA = EVAL / "qa-newsqa.jsonl"
OFF_TOPIC = (
    "What is the capital of Peru?",
    "Who won the 1998 football World Cup?",
)
NAIVE_MAX_TOKENS = 32  # a short answer; its first line is kept

_WS = re.compile(r"\s+")
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = str.maketrans("", "", string.punctuation)


# ---------------------------------------------------------------- scoring


def norm_ws(text: str) -> str:
    return _WS.sub(" ", text).strip()


def sentence_match(a: str, b: str) -> bool:
    """One sentence contains the other, after whitespace normalisation."""
    a, b = norm_ws(a), norm_ws(b)
    return bool(a and b) and (a in b or b in a)


def squad_tokens(text: str) -> list[str]:
    text = text.lower().translate(_PUNCT)
    return _ARTICLES.sub(" ", text).split()


def token_f1(prediction: str, gold: str) -> float:
    pred, ref = squad_tokens(prediction), squad_tokens(gold)
    if not pred or not ref:
        return float(pred == ref)
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    p, r = common / len(pred), common / len(ref)
    return 2 * p * r / (p + r)


def best_f1(prediction: str, answers: Sequence[str]) -> float:
    return max((token_f1(prediction, a) for a in answers), default=0.0)


@dataclass
class Tally:
    """Micro-averaged counts for one system."""

    cited: int = 0
    cited_right: int = 0
    gold: int = 0
    gold_found: int = 0
    answer_f1: float = 0.0
    abstained: int = 0
    unsupported: int = 0
    errors: int = 0
    questions: int = 0
    seconds: float = 0.0
    has_citations: bool = True
    tracks_abstention: bool = False

    def add(
        self,
        cited: Sequence[str],
        gold: Sequence[str],
        answer: str | None,
        answers: Sequence[str],
        seconds: float,
    ) -> None:
        self.questions += 1
        self.seconds += seconds
        self.cited += len(cited)
        self.cited_right += sum(any(sentence_match(c, g) for g in gold) for c in cited)
        self.gold += len(gold)
        self.gold_found += sum(any(sentence_match(c, g) for c in cited) for g in gold)
        if answer is not None:
            self.answer_f1 += best_f1(answer, answers)

    @property
    def precision(self) -> float:
        return self.cited_right / self.cited if self.cited else 0.0

    @property
    def recall(self) -> float:
        return self.gold_found / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def row(self, name: str, answers: bool = True) -> list[str]:
        n = max(1, self.questions)
        na = "n/a"
        cites = self.has_citations
        return [
            name,
            f"{self.precision:.3f}" if cites else na,
            f"{self.recall:.3f}" if cites else na,
            f"{self.f1:.3f}" if cites else na,
            f"{self.cited / n:.2f}" if cites else na,
            f"{self.answer_f1 / n:.3f}" if answers else na,
            f"{self.abstained / n:.3f}" if self.tracks_abstention else na,
            f"{self.seconds / n:.2f}",
        ]


HEADER = ["system", "cite P", "cite R", "cite F1", "cites/q", "answer F1", "abstained", "s/q"]


def print_table(rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    for r in [HEADER, *rows]:
        print(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )
        )


# ---------------------------------------------------------------- systems


def naive_prompt(article: str, question: str) -> str:
    return f"{article.strip()}\n\nQuestion: {question}\nAnswer:"


def naive_answer(llm: LLMClient, article: str, question: str) -> str:
    out = llm.chat(
        [{"role": "user", "content": naive_prompt(article, question)}],
        max_tokens=NAIVE_MAX_TOKENS,
        use_cache=False,
    )
    lines = [line.strip() for line in out.content.strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


def bench_settings(use_env: bool, model: str | None = None, gguf: str | None = None) -> Settings:
    settings = load_settings(use_cache=False)
    if not use_env:  # an embedded model, whatever the environment says
        settings = dataclasses.replace(
            settings, base_url=None, api_key=None, model=model, gguf=gguf
        )
    return settings


def ask_both(
    article: Any, question: str, llm: LLMClient, template: str | None
) -> tuple[AskResult, AskResult]:
    """The same answer before and after the semantic check (`confirm`): the lexical check alone
    (newsdesk before the check), and what `ask` prints."""
    lexical, prompt = answer_lexically(article, question, llm, template)
    return lexical, confirm(lexical, prompt, article, question, llm)


@dataclass
class Run:
    newsdesk: Tally = field(default_factory=lambda: Tally(tracks_abstention=True))
    lexical: Tally = field(default_factory=lambda: Tally(tracks_abstention=True))
    bm25: Tally = field(default_factory=lambda: Tally())
    naive: Tally = field(default_factory=lambda: Tally(has_citations=False))
    picks: Tally = field(default_factory=lambda: Tally())  # the model's own ids, before checks
    # what ask prints, with an attribution it adds ("According to X, ...", the other side's
    # sentence) set aside: the claim itself, so answer F1 against a short gold answer measures
    # the content, and the attribution is counted apart (`attributed`)
    claim: Tally = field(default_factory=lambda: Tally(tracks_abstention=True))
    attributed: int = 0
    details: list[dict[str, Any]] = field(default_factory=list)


def run_multirc(
    records: list[dict[str, Any]],
    llm: LLMClient,
    verbose: bool,
    naive: bool = True,
    template: str | None = None,
) -> Run:
    """newsdesk over every question, then the naive prompt over every question (each system
    gets the server's prompt cache to itself, as it would in use), plus BM25 top-3."""
    run = Run()
    parsed: dict[str, Any] = {}
    for n, rec in enumerate(records, 1):
        article = parsed.setdefault(rec["article"], parse_article(rec["article"]))
        question, answers, gold = rec["question"], rec["answers"], rec["evidence"]
        texts = [s.text for s in article.sentences]

        t0 = time.perf_counter()
        hits = top_k(texts, question, 3)
        run.bm25.add([texts[i] for i in hits], gold, None, answers, time.perf_counter() - t0)

        detail: dict[str, Any] = {
            "question": question,
            "answers": answers,
            "gold": [
                s.id for s in article.sentences if any(sentence_match(s.text, g) for g in gold)
            ],
            "bm25": [article.sentences[i].id for i in hits],
        }
        run.details.append(detail)
        t0 = time.perf_counter()
        try:
            before, result = ask_both(article, question, llm, template)
        except NewsdeskError as exc:
            run.newsdesk.errors += 1
            run.newsdesk.add([], gold, "", answers, time.perf_counter() - t0)
            run.lexical.errors += 1
            run.lexical.add([], gold, "", answers, 0.0)
            print(f"  [{n}] error: {exc}", file=sys.stderr)
            detail["error"] = str(exc)
            continue
        spent = time.perf_counter() - t0
        cited = [c.text for c in result.citations]
        run.newsdesk.add(cited, gold, result.answer if result.answerable else "", answers, spent)
        picked = [article.by_id[i].text for i in result.proposed if i in article.by_id]
        run.picks.add(picked, gold, None, answers, 0.0)
        run.newsdesk.abstained += not result.answerable
        run.newsdesk.unsupported += not result.supported
        run.lexical.add(
            [c.text for c in before.citations],
            gold,
            before.answer if before.answerable else "",
            answers,
            0.0,
        )
        run.lexical.abstained += not before.answerable
        framed = result.attributed_to is not None
        run.attributed += framed
        claim = before.answer if framed else result.answer
        run.claim.add(cited, gold, claim if result.answerable else "", answers, 0.0)
        run.claim.abstained += not result.answerable
        run.claim.unsupported += not result.supported
        run.lexical.unsupported += not before.supported
        detail.update(
            before=before.answer,
            grounding=result.grounding,
            reason=result.reason,
            answer=result.answer,
            answerable=result.answerable,
            proposed=result.proposed,
            cited=[c.id for c in result.citations],
            dropped=result.dropped,
            seconds=round(spent, 2),
        )
        if verbose:
            print(json.dumps(detail, ensure_ascii=False))

    if naive:
        for rec, detail in zip(records, run.details, strict=True):
            t0 = time.perf_counter()
            detail["naive"] = naive_answer(llm, rec["article"], rec["question"])
            spent = time.perf_counter() - t0
            run.naive.add([], rec["evidence"], detail["naive"], rec["answers"], spent)
    return run


def run_abstention(
    newsqa: list[dict[str, Any]],
    multirc: list[dict[str, Any]],
    llm: LLMClient,
    verbose: bool,
    template: str | None = None,
) -> list[str]:
    """Lines reporting abstention correctness (NewsQA, then off-topic probes), after the
    semantic check and (in brackets) before it, on the same answers."""
    lines: list[str] = []
    if newsqa:
        right = [0.0, 0.0]
        f1 = [0.0, 0.0]
        unanswerable = 0
        for rec in newsqa:
            article = parse_article(rec["article"])
            should_abstain = not rec["answers"]
            unanswerable += should_abstain
            try:
                both = ask_both(article, rec["question"], llm, template)
            except NewsdeskError as exc:
                print(f"  NewsQA error: {exc}", file=sys.stderr)
                continue
            for k, result in enumerate(reversed(both)):  # 0: after the check, 1: before it
                declined = not result.answerable or not result.supported
                right[k] += declined == should_abstain
                if rec["answers"] and result.answerable:
                    f1[k] += best_f1(result.answer, rec["answers"])
            if verbose:
                print(
                    json.dumps({"q": rec["question"], "gold": rec["answers"], **both[1].to_dict()})
                )
        n = len(newsqa)
        m = max(1, n - unanswerable)
        lines.append(
            f"NewsQA: abstention correct {right[0] / n:.3f} ({int(right[0])}/{n}; "
            f"{unanswerable} unanswerable), answer F1 {f1[0] / m:.3f} "
            f"[before the semantic check: {int(right[1])}/{n}, F1 {f1[1] / m:.3f}]"
        )
    articles = list(dict.fromkeys(r["article"] for r in multirc))[:2]
    if articles:
        declined = total = 0
        for text in articles:
            article = parse_article(text)
            for q in OFF_TOPIC:
                total += 1
                try:
                    result = ask_both(article, q, llm, template)[1]
                except NewsdeskError as exc:  # no answer at all: declined, if not gracefully
                    print(f"  off-topic error: {exc}", file=sys.stderr)
                    declined += 1
                    continue
                ok = not result.answerable or not result.supported
                declined += ok
                if verbose:
                    print(json.dumps({"q": q, **result.to_dict()}, ensure_ascii=False)[:300])
        lines.append(
            f"off-topic questions: {declined}/{total} declined or unsupported "
            f"(answer {NOT_SAID!r} or no citation)"
        )
    return lines


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--path", type=Path, default=MULTIRC, help="MultiRC jsonl")
    ap.add_argument("--newsqa", type=Path, default=NEWSQA, help="NewsQA jsonl (optional)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N MultiRC questions")
    ap.add_argument("--use-env", action="store_true", help="use the configured endpoint")
    ap.add_argument(
        "--model",
        action="append",
        help="embedded model name; repeat to compare models in one run (default: the default)",
    )
    ap.add_argument("--gguf", help="serve this GGUF file instead")
    ap.add_argument("--template", help="ask prompt variant (default: the model's profile)")
    ap.add_argument("--no-naive", action="store_true", help="skip the naive-prompt baseline")
    ap.add_argument("--details", type=Path, help="write every answer to this JSON file")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every answer")
    args = ap.parse_args(argv)

    if not args.path.is_file():
        print(f"ask quality bench: {args.path} not found; skipping")
        return 0
    records = read_jsonl(args.path)
    if args.limit:
        records = records[: args.limit]
    newsqa = read_jsonl(args.newsqa) if args.newsqa.is_file() else []

    started = time.perf_counter()
    n_articles = len({r["article"] for r in records})
    rows: list[list[str]] = []
    notes: list[str] = []
    # Each model in turn, in this one run; BM25 needs no model and is the same for all.
    for n, model in enumerate(args.model or [None]):
        llm = LLMClient(bench_settings(args.use_env, model, args.gguf))
        t0 = time.perf_counter()
        llm.chat([{"role": "user", "content": "Hello"}], max_tokens=1, use_cache=False)  # warm-up
        load = time.perf_counter() - t0
        run = run_multirc(records, llm, args.verbose, not args.no_naive, args.template)
        if args.details:
            path = args.details.with_name(f"{args.details.stem}-{llm.model}{args.details.suffix}")
            path.write_text(json.dumps(run.details, indent=1, ensure_ascii=False))
        extra = run_abstention(newsqa, records, llm, args.verbose, args.template)
        rows.append(run.newsdesk.row(f"newsdesk ask ({llm.model})"))
        rows.append(run.claim.row("  the same answers, attribution aside (the claim)"))
        rows.append(run.lexical.row("  before the semantic check (same answers)"))
        rows.append(run.picks.row("  its model's picks alone", answers=False))
        if n == 0:
            rows.append(run.bm25.row("BM25 top-3", answers=False))
        if not args.no_naive:
            rows.append(run.naive.row(f"naive prompt ({llm.model})"))
        nd = run.newsdesk
        notes.append(
            f"{llm.model} ({llm.endpoint}): model load {load:.1f} s; {nd.unsupported} "
            f"unsupported answers, {nd.errors} errors, "
            f"{sum(len(d.get('dropped', [])) for d in run.details)} dropped citation ids; "
            f"{run.attributed} answers given with their source ('According to ...')"
        )
        notes.extend(f"  {line}" for line in extra)
    print(f"{args.path.name}: {len(records)} questions over {n_articles} articles; cache off")
    print_table(rows)
    for line in notes:
        print(line)
    print(f"total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
