"""Which sentences a prompt shows: the whole article when it fits the budget, else BM25's best."""

from __future__ import annotations

from newsdesk.article import Article, Sentence
from newsdesk.chunking import sentence_line
from newsdesk.retrieval import select_with_neighbours, top_k
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
