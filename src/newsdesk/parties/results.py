"""The result types: a mention (one span of a sentence), a party candidate, the party map."""

from __future__ import annotations

from dataclasses import dataclass, field


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


@dataclass
class PartyCandidate:
    name: str
    aliases: list[str]
    kind: str
    sentence_ids: list[str]
    mentions: int = 0
    role: str = ""  # as the article gives it, when a title or apposition says so
    spoken_ids: list[str] = field(default_factory=list)  # sentences where it is the speaker

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "aliases": self.aliases,
            "kind": self.kind,
            "sentence_ids": self.sentence_ids,
            "mentions": self.mentions,
            "role": self.role,
            "spoken_ids": self.spoken_ids,
        }


@dataclass
class PartyMap:
    """Candidates plus who speaks in which sentence (sentence id -> candidate index)."""

    candidates: list[PartyCandidate]
    speakers: dict[str, int]
