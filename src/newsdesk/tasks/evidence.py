"""Which sentences a prompt shows, and which of them a short answer rests on.

- `select_evidence`: the whole article when it fits the budget, else BM25's best with neighbours.
- `select_candidates`: only the k sentences BM25 ranks best for the question, plus the lede: what
  the small embedded model is shown (it answers better from a few relevant sentences).
- `attribute`: the deterministic attribution step for the small model: rank the shown sentences
  by the question, the model's answer and the model's own picks (see its docstring).
- `cite_answer`: the citations of an instruction-tuned model's answer: its own picks, the
  sentence that holds the answer's words and the sentence that matches the question best.
"""

from __future__ import annotations

from collections.abc import Sequence

from newsdesk.article import Article, Sentence
from newsdesk.chunking import sentence_line
from newsdesk.retrieval import BM25, select_with_neighbours, tokenize, top_k
from newsdesk.tokens import count_tokens


def article_tokens(sentences: list[Sentence], model: str | None = None) -> int:
    return count_tokens("\n".join(sentence_line(s) for s in sentences), model)


def select_evidence(
    article: Article, query: str, budget: int, model: str | None = None
) -> list[Sentence]:
    """The sentences to show for `query`, in article order, within `budget` tokens."""
    if article_tokens(article.sentences, model) <= budget:
        return list(article.sentences)
    docs = [s.text for s in article.sentences]
    best: list[Sentence] = []
    # Grow the selection (top hits with a neighbour each) until the budget is full.
    for k in (2, 3, 4, 6, 8, 12, 16, 24, 32):
        idx = select_with_neighbours(docs, query, k, neighbours=1)
        chosen = [article.sentences[i] for i in idx]
        if article_tokens(chosen, model) > budget:
            break
        best = chosen
    if not best:  # even two hits overflow: the single best sentences that fit
        for i in top_k(docs, query, len(docs)) or [0]:
            candidate = sorted([*best, article.sentences[i]], key=lambda s: s.index)
            if article_tokens(candidate, model) > budget:
                break
            best = candidate
    return best


def select_candidates(
    article: Article,
    query: str,
    k: int,
    budget: int,
    model: str | None = None,
    best_last: bool = False,
) -> list[Sentence]:
    """The lede and the `k` sentences BM25 ranks best for `query`, in article order (or, with
    `best_last`, the lede first and then the hits from the weakest to the best).

    Sentences that share no term with the query are never added, so an off-topic question shows
    only the lede. Lowest-ranked hits are dropped first if the selection exceeds `budget` tokens.
    """
    if not article.sentences:
        return []
    ranked = top_k([s.text for s in article.sentences], query, k)
    keep = [0, *[i for i in ranked if i != 0]]  # the lede sets the scene
    while len(keep) > 1:
        order = [keep[0], *reversed(keep[1:])] if best_last else sorted(keep)
        chosen = [article.sentences[i] for i in order]
        if article_tokens(chosen, model) <= budget:
            return chosen
        keep.pop()
    return [article.sentences[keep[0]]]


# Attribution weights, measured on the MultiRC dev split (bench/ask_quality.py) with the bundled
# 270M model: its answer is a strong clue to the evidence (it copies the article's words), its
# own choice of ids a weaker one (it favours the first and the last sentence shown), yet without
# that choice the citation F1 drops by ~0.04.
QUESTION_WEIGHT = 1.0
ANSWER_WEIGHT = 0.5
MODEL_PICK_WEIGHT = 0.2
ATTRIBUTED = 3
THIRD_AT = 0.7  # a third sentence is cited only when it scores >= 0.7 of the best one


def answer_in_text(answer: str, question: str, shown: Sequence[Sentence]) -> bool:
    """Whether the answer's own words (content words not already in the question) occur in the
    shown sentences: the small model's answer was read from the article, not made up."""
    words = set(tokenize(answer)) - set(tokenize(question))
    return bool(words) and any(words & set(tokenize(s.text)) for s in shown)


def _scaled(scores: list[float]) -> list[float]:
    top = max(scores, default=0.0)
    return [s / top if top > 0 else 0.0 for s in scores]


def attribute(
    question: str,
    answer: str,
    picked: Sequence[str],
    shown: Sequence[Sentence],
    limit: int = ATTRIBUTED,
) -> list[str]:
    """Ids of the shown sentences an answer rests on, best first (deterministic, no LLM).

    Each shown sentence scores BM25(question) + 0.5 * BM25(answer), each scaled to [0, 1] over
    the shown sentences, plus 0.2 if the model cited it. The best two are cited, a third only if
    it scores at least 0.7 of the best (never more than `limit`). MultiRC questions need two
    sentences or more: one matching the question's words, one holding the answer's, which is
    why both queries count. A sentence sharing no word with the question or the answer is never
    cited, even if the model picked it.
    """
    if not shown:
        return []
    bm25 = BM25([s.text for s in shown])
    by_question = _scaled(bm25.scores(question))
    by_answer = _scaled(bm25.scores(answer))
    chosen = set(picked)
    total = [
        QUESTION_WEIGHT * q + ANSWER_WEIGHT * a + (MODEL_PICK_WEIGHT if s.id in chosen else 0.0)
        for q, a, s in zip(by_question, by_answer, shown, strict=True)
    ]
    order = sorted(range(len(shown)), key=lambda i: (-total[i], shown[i].index))
    best = total[order[0]]
    return [
        shown[i].id
        for rank, i in enumerate(order[:limit])
        if (by_question[i] > 0 or by_answer[i] > 0)  # lexical support, not the pick alone
        and (rank < 2 or total[i] >= THIRD_AT * best)
    ]


def cite_answer(
    question: str, answer: str, picked: Sequence[str], shown: Sequence[Sentence]
) -> list[str]:
    """Ids an answer rests on, in article order (deterministic, no LLM; no fitted weights).

    The union of three sources, each with a reason of its own:
    - the model's own picks (ids it was shown) that share a word with the question or the
      answer: what it read the answer from (a pick sharing neither says nothing about either);
    - the shown sentence that best matches the answer's own words (those not in the question):
      where the answer is written, which a model often fails to cite;
    - the shown sentence that best matches the question: a question usually names the event
      the answer belongs to, and that sentence is where a reader checks it.
    Measured on the MultiRC dev split (bench/ask_quality.py), with Qwen2.5-Coder-1.5B: the
    model's picks alone had lower recall than BM25's top 3; the union beats both.
    """
    asked = set(tokenize(question))
    own = " ".join(w for w in answer.split() if set(tokenize(w)) - asked)
    words = asked | set(tokenize(answer))
    picks = {s.id for s in shown if s.id in set(picked) and words & set(tokenize(s.text))}
    texts = [s.text for s in shown]
    extra = {shown[i].id for query in (own, question) for i in top_k(texts, query, 1)}
    ids = picks | extra
    return [s.id for s in shown if s.id in ids]
