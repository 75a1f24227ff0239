"""What the model returns for each brief call, and what each prompt limits in its schema.

The pydantic models give the JSON schema sent to the model (`schema.output_schema`); the item
counts and the party names are limits of the schema only, not of parsing, so an answer cut off
at the token limit still parses with the items it completed.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from newsdesk.schema import SentenceIds

MAX_POINTS = 4
N_QUESTIONS = 3

Limits = dict[str, dict[str, Any] | None]


class PointOut(BaseModel):
    cites: SentenceIds
    text: str


class PointsOut(BaseModel):
    headline: str
    points: list[PointOut] = Field(default_factory=list)


class PartyOut(BaseModel):
    name: str
    position: str
    cites: SentenceIds


class PartiesOut(BaseModel):
    parties: list[PartyOut] = Field(default_factory=list)


class ClaimOut(BaseModel):
    text: str
    cites: SentenceIds


class DebateOut(BaseModel):
    disagreements: list[ClaimOut] = Field(default_factory=list)
    questions: list[str] = Field(default_factory=list)


class SynthesisOut(BaseModel):
    points: list[ClaimOut] = Field(default_factory=list)


def points_limits() -> Limits:
    return {"points": {"minItems": 1, "maxItems": MAX_POINTS}, "points.cites": {"maxItems": 2}}


def parties_limits(names: list[str]) -> Limits:
    """Only the parties asked about, each at most once."""
    return {
        "parties": {"maxItems": len(names)},
        "parties.name": {"enum": list(names)},
        "parties.cites": {"maxItems": 2},
    }


def debate_limits() -> Limits:
    return {
        "disagreements": {"maxItems": 2},
        "disagreements.cites": {"maxItems": 3},
        "questions": {"minItems": N_QUESTIONS, "maxItems": N_QUESTIONS},
    }


def synthesis_limits() -> Limits:
    return {"points": {"minItems": 1, "maxItems": 3}, "points.cites": {"maxItems": 3}}
