"""Token-aware chunks on sentence boundaries."""

from __future__ import annotations

from dataclasses import dataclass, field

from newsdesk.article import Article, Sentence
from newsdesk.tokens import encoding_for


@dataclass
class Chunk:
    id: str  # "C1".."Cn"
    sentence_ids: list[str]
    tokens: int
    text: str  # the chunk as the model sees it: "[S1] ..." lines
    split: bool = False  # a single sentence longer than the limit, cut on tokens
    parts: list[str] = field(default_factory=list)  # for a split sentence: its token pieces

    @property
    def first(self) -> str:
        return self.sentence_ids[0]

    @property
    def last(self) -> str:
        return self.sentence_ids[-1]


def sentence_line(s: Sentence) -> str:
    return f"[{s.id}] {s.text}"


def chunk_article(
    article: Article, max_tokens: int = 512, overlap: int = 0, model: str | None = None
) -> list[Chunk]:
    """Greedy chunks of whole numbered sentences, each at most `max_tokens` tokens.

    `overlap` repeats that many trailing sentences at the start of the next chunk. A sentence
    longer than the limit gets a chunk of its own, cut into token pieces (`split=True`).
    """
    if max_tokens < 8:
        raise ValueError("max_tokens must be at least 8")
    if overlap < 0:
        raise ValueError("overlap must be >= 0")
    enc = encoding_for(model)
    lines = [sentence_line(s) for s in article.sentences]
    counts = [len(enc.encode(line + "\n", disallowed_special=())) for line in lines]
    chunks: list[Chunk] = []
    i, n = 0, len(lines)
    while i < n:
        if counts[i] > max_tokens:
            tokens = enc.encode(lines[i], disallowed_special=())
            parts = [
                enc.decode(tokens[k : k + max_tokens]) for k in range(0, len(tokens), max_tokens)
            ]
            chunks.append(
                Chunk(
                    f"C{len(chunks) + 1}",
                    [article.sentences[i].id],
                    counts[i],
                    lines[i],
                    split=True,
                    parts=parts,
                )
            )
            i += 1
            continue
        j, total = i, 0
        while j < n and counts[j] <= max_tokens and total + counts[j] <= max_tokens:
            total += counts[j]
            j += 1
        ids = [s.id for s in article.sentences[i:j]]
        chunks.append(Chunk(f"C{len(chunks) + 1}", ids, total, "\n".join(lines[i:j])))
        # step back `overlap` sentences, but always make progress
        i = max(j - overlap, i + 1) if j < n else j
    return chunks
