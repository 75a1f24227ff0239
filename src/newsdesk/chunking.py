"""Token-aware chunks on sentence boundaries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from newsdesk.article import Article, Sentence
from newsdesk.tokens import encoding_for

if TYPE_CHECKING:
    import tiktoken


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


def token_pieces(enc: tiktoken.Encoding, text: str, max_tokens: int) -> list[str]:
    """`text` cut into pieces of at most `max_tokens` tokens that rejoin to exactly `text`.

    A cut may not fall inside a character (a byte-level token can hold part of one): the cut
    moves back to the last token boundary where the bytes so far decode as UTF-8.
    """
    tokens = enc.encode(text, disallowed_special=())
    pieces: list[str] = []
    start = 0
    while start < len(tokens):
        end = min(start + max_tokens, len(tokens))
        cut = end
        while cut > start + 1 and not _clean(enc, tokens[start:cut]):
            cut -= 1
        if not _clean(enc, tokens[start:cut]):  # no boundary within the limit: go past it
            cut = end
            while cut < len(tokens) and not _clean(enc, tokens[start:cut]):
                cut += 1
        pieces.append(enc.decode_bytes(tokens[start:cut]).decode("utf-8", "replace"))
        start = cut
    return pieces


def _clean(enc: tiktoken.Encoding, tokens: list[int]) -> bool:
    try:
        enc.decode_bytes(tokens).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


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
            parts = token_pieces(enc, lines[i], max_tokens)
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
