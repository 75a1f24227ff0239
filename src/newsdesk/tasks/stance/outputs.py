"""What the model returns for `stance`, and the JSON schemas generated from it.

The models stay loose (`stance: str`, no length bounds): the schema's limits constrain what the
model writes, and `interpret.problems` says what to fix when an endpoint does not enforce them,
so an answer with a wrong label gets a re-ask that names the labels, not a pydantic error.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from newsdesk.schema import SentenceIds, output_schema

STANCES = ("supports", "opposes", "mixed", "neutral", "unclear")
MAX_PROPOSED = 8  # parties the model may add
MAX_EVIDENCE = 3  # ids a position cites (the model's and the rule's)

Limits = dict[str, dict[str, Any] | None]


class OverviewOutput(BaseModel):
    """The small model's first call: the central issue and the parties it sees."""

    issue: str
    parties: list[str] = Field(default_factory=list)


class PartyOutput(BaseModel):
    """The small model's call for one party."""

    role: str
    position: str
    stance: str
    evidence: SentenceIds


class TopicOutput(BaseModel):
    """A disagreement's topic, in a few words."""

    topic: str


class PartyPosition(BaseModel):
    name: str
    position: str
    stance: str
    evidence: SentenceIds


class PartiesOutput(BaseModel):
    """The one call an instruction-tuned model gets: the issue, then every listed party."""

    issue: str
    parties: list[PartyPosition] = Field(default_factory=list)
    others: list[str] = Field(default_factory=list)  # parties it sees that were not listed


def overview_limits() -> Limits:
    return {"parties": {"maxItems": MAX_PROPOSED}}


def party_limits() -> Limits:
    return {"stance": {"enum": list(STANCES)}, "evidence": {"maxItems": MAX_EVIDENCE}}


def parties_limits(names: list[str]) -> Limits:
    """Only the listed names (when there are any), at most one answer each."""
    return {
        "parties": {"maxItems": len(names)},
        "parties.name": {"enum": names} if names else {},
        "parties.stance": {"enum": list(STANCES)},
        "parties.evidence": {"maxItems": MAX_EVIDENCE},
        "others": {"maxItems": MAX_PROPOSED},
    }


def overview_schema() -> dict[str, Any]:
    return output_schema(OverviewOutput, None, overview_limits())


def party_schema(shown_ids: list[str]) -> dict[str, Any]:
    return output_schema(PartyOutput, shown_ids, party_limits())


def parties_schema(shown_ids: list[str], names: list[str]) -> dict[str, Any]:
    return output_schema(PartiesOutput, shown_ids, parties_limits(names))


def topic_schema() -> dict[str, Any]:
    return output_schema(TopicOutput)
