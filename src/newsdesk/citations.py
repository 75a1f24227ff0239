"""Citations: parse sentence ids, keep only those that exist and were shown, map them to text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import ConfigDict

from newsdesk.article import Article
from newsdesk.attribution import NARRATION, Source, sources_of
from newsdesk.schema import Record

_ID = re.compile(r"\bS([0-9]{1,6})\b")


class Citation(Record):
    """A cited sentence: its id, its text verbatim (whitespace-normalised), its span, and who
    says it (`attribution.Source`: a named party, unnamed sources, an official body or the
    reporter)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    id: str
    text: str
    start: int
    end: int
    source: Source = NARRATION


@dataclass
class CitationCheck:
    valid: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # not in the article, or not shown


def parse_ids(value: str | Iterable[str]) -> list[str]:
    """Sentence ids from "[S3, S7]", "S3;s7", ["S3", "7"]...; order kept, duplicates removed."""
    items = [value] if isinstance(value, str) else list(value)
    out: list[str] = []
    for item in items:
        text = str(item).strip()
        found = [f"S{int(n)}" for n in _ID.findall(text.upper())]
        if not found and text.isascii() and text.isdecimal():
            found = [f"S{int(text)}"]
        for sid in found:
            if sid not in out:
                out.append(sid)
    return out


def check_ids(
    ids: Iterable[str], article: Article, shown: Iterable[str] | None = None
) -> CitationCheck:
    """Split cited ids into valid ones and dropped ones (invented, or never shown to the model)."""
    allowed = set(shown) if shown is not None else set(article.by_id)
    result = CitationCheck()
    for sid in parse_ids(list(ids)):
        (result.valid if sid in allowed and sid in article.by_id else result.dropped).append(sid)
    return result


def resolve(ids: Iterable[str], article: Article) -> list[Citation]:
    """Citations for valid ids, in article order, each quoting its sentence verbatim, with
    its source."""
    sentences = sorted(
        (article.by_id[i] for i in set(ids) if i in article.by_id), key=lambda s: s.index
    )
    table = sources_of(article)
    return [
        Citation(id=s.id, text=s.text, start=s.start, end=s.end, source=table[s.id])
        for s in sentences
    ]


def format_ids(ids: Iterable[str]) -> str:
    ids = list(ids)
    return f"[{', '.join(ids)}]" if ids else ""
