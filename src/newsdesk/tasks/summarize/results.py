"""What `summarize` returns. Field order is the --json key order; aliases keep printed names."""

from __future__ import annotations

from pydantic import Field

from newsdesk.attribution import Source
from newsdesk.citations import Citation
from newsdesk.llm.usage import Usage
from newsdesk.schema import Record


class SummaryLine(Record):
    text: str
    citations: list[Citation] = Field(default_factory=list)
    supported: bool = True
    # "model": the model's wording; "picked": a sentence the model chose, quoted;
    # "extract": a sentence from the deterministic ranking (the model gave too few lines)
    source: str = "model"
    # ids the model gave that were not valid
    dropped: list[str] = Field(default_factory=list, serialization_alias="dropped_citations")
    reason: str = ""  # why the model's own line was replaced (the semantic check)
    attributed_to: Source | None = None  # whose claim the line is, when the article only reports it

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.citations]


class SummaryResult(Record):
    length: str
    central: str | None = None  # the gist in one line: the first line's text
    chunks: int = 1  # >1: summarised map-reduce over that many chunks
    method: str = "ranking"  # "model": the model chose/wrote the lines; "ranking": no model call
    lines: list[SummaryLine] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)  # e.g. "entailment not checked: ..."
    # printed only when measured (a summary built without a client has none)
    usage: Usage | None = Field(default=None, exclude_if=lambda usage: usage is None)

    @property
    def unsupported(self) -> list[SummaryLine]:
        return [line for line in self.lines if not line.supported]
