"""The result types: a mention (one span of a sentence), a party candidate, the party map.

Only `PartyCandidate` is printed (stance's other_parties, eval's parties), so only it is a Record;
pydantic adds ~2 us per candidate, well under 1% of the ~9 ms an article takes."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field

from newsdesk.schema import Record


@dataclass
class Mention:
    text: str  # surface form, a span of the sentence text
    sentence: str  # sentence id
    start: int  # offset in the sentence text
    end: int
    kind: str
    key: str  # merge key before alias resolution
    role: str = ""  # words before a title ("Chinese President", "Treasury Secretary")
    titled: bool = False  # had an honorific/title ("Mr Xi")
    weak: bool = False  # a lowercase group phrase inside a sentence: a party only if it recurs


class PartyCandidate(Record):
    name: str
    aliases: list[str]
    kind: str
    sentence_ids: list[str]
    mentions: int = 0
    role: str = ""  # as the article gives it, when a title or apposition says so
    spoken_ids: list[str] = Field(default_factory=list)  # sentences where it is the speaker


@dataclass
class PartyMap:
    """Candidates plus who speaks in which sentence (sentence id -> candidate index)."""

    candidates: list[PartyCandidate]
    speakers: dict[str, int]
