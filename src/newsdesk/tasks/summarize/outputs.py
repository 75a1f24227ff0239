"""What the model returns for `summarize`, and the JSON schema generated from it.

Two shapes: an instruction-tuned model writes each line (`SummaryOutput`: ids, then text); the
small model only picks the sentences to quote (`PicksOutput`: ids). Bounds live in the schema's
limits, not the models, so an endpoint that ignores the schema gets a re-ask that names what is
wrong rather than a pydantic error.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from newsdesk.schema import SentenceIds, output_schema

MAX_IDS_PER_LINE = 3


class PickLineOutput(BaseModel):
    """A line the model only picks: the ids of the sentences it quotes."""

    ids: SentenceIds


class SummaryLineOutput(PickLineOutput):
    """A line the model writes: evidence ids first, then the text."""

    text: str = ""


class PicksOutput(BaseModel):
    lines: list[PickLineOutput] = Field(default_factory=list)


class SummaryOutput(BaseModel):
    lines: list[SummaryLineOutput] = Field(default_factory=list)


def summary_limits(lines: int) -> dict[str, dict[str, Any] | None]:
    """At most `lines` lines (at least one), each citing one to MAX_IDS_PER_LINE ids."""
    return {
        "lines": {"minItems": 1, "maxItems": lines},
        "lines.ids": {"minItems": 1, "maxItems": MAX_IDS_PER_LINE},
    }


def summary_schema(shown_ids: list[str], lines: int, write: bool = True) -> dict[str, Any]:
    """The schema for `lines` lines citing the ids shown (and, when `write`, with their text)."""
    return output_schema(SummaryOutput if write else PicksOutput, shown_ids, summary_limits(lines))
