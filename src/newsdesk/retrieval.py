"""BM25 selection of the sentences most relevant to a query (pure Python: articles are small)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from newsdesk.grounding import stemmed_words


def tokenize(text: str) -> list[str]:
    """BM25's terms: the same words and stemmer as the grounding check
    (`grounding.stemmed_words`)."""
    return stemmed_words(text)


class BM25:
    """Okapi BM25 over a small list of documents."""

    def __init__(self, docs: Sequence[str], k1: float = 1.5, b: float = 0.75) -> None:
        self.docs = [tokenize(d) for d in docs]
        self.k1, self.b = k1, b
        self.avgdl = sum(len(d) for d in self.docs) / max(1, len(self.docs))
        df: Counter[str] = Counter()
        for d in self.docs:
            df.update(set(d))
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.tf = [Counter(d) for d in self.docs]

    def scores(self, query: str) -> list[float]:
        terms = tokenize(query)
        out = []
        for tf, doc in zip(self.tf, self.docs, strict=True):
            norm = self.k1 * (1 - self.b + self.b * len(doc) / (self.avgdl or 1))
            s = 0.0
            for t in terms:
                f = tf.get(t)
                if f:
                    s += self.idf[t] * f * (self.k1 + 1) / (f + norm)
            out.append(s)
        return out


def top_k(docs: Sequence[str], query: str, k: int) -> list[int]:
    """Indices of the k best-scoring docs (score > 0), best first."""
    scores = BM25(docs).scores(query)
    order = sorted(range(len(docs)), key=lambda i: (-scores[i], i))
    return [i for i in order[:k] if scores[i] > 0]


def select_with_neighbours(
    docs: Sequence[str], query: str, k: int, neighbours: int = 1, always_first: bool = True
) -> list[int]:
    """The top-k docs plus `neighbours` on each side (context for pronouns), in text order."""
    chosen: set[int] = set()
    for i in top_k(docs, query, k):
        for j in range(i - neighbours, i + neighbours + 1):
            if 0 <= j < len(docs):
                chosen.add(j)
    if always_first and docs:
        chosen.add(0)  # the lede sets the scene
    return sorted(chosen)
