"""What `stance` returns: parties with positions, their own words and evidence, disagreements.

Field order is the --json key order; aliases keep the printed names.
"""

from __future__ import annotations

from pydantic import ConfigDict, Field

from newsdesk.citations import Citation
from newsdesk.schema import Record


class Quote(Record):
    """A party's own words: the text inside quotation marks, verbatim, and its sentence."""

    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    start: int
    end: int


class Claim(Record):
    """A sentence about a party, spoken by someone else (`by`)."""

    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    by: str


class Party(Record):
    name: str
    aliases: list[str]
    kind: str
    role: str = ""
    position: str = ""
    position_supported: bool = True  # False: its own sentences do not state it (see `checks`)
    stance: str = "unclear"
    quotes: list[Quote] = Field(default_factory=list)
    claims_by_others: list[Claim] = Field(default_factory=list)
    evidence: list[Citation] = Field(default_factory=list)
    sentence_ids: list[str] = Field(default_factory=list)
    analysed: bool = False  # the model was asked about it (position and stance are its)
    # "deterministic", "model" or "both": who found the party
    source: str = Field(default="deterministic", serialization_alias="found_by")
    # what the semantic check found wrong with its position or label, one line each
    checks: list[str] = Field(default_factory=list)


class Side(Record):
    party: str
    evidence: list[str]  # sentence ids


class Disagreement(Record):
    topic: str
    sides: list[Side]
    context: list[str] = Field(default_factory=list)  # ids of sentences that note the rift


class StanceResult(Record):
    central_issue: str
    parties: list[Party] = Field(default_factory=list)  # analysed (capped), most-mentioned first
    disagreements: list[Disagreement] = Field(default_factory=list)
    # found, not sent to the model
    others: list[Party] = Field(default_factory=list, serialization_alias="other_parties")
    model_proposed: list[str] = Field(default_factory=list)  # the model's names kept (in text)
    model_rejected: list[str] = Field(default_factory=list)  # its names not in the article
    failures: int = 0  # calls whose output stayed invalid after the re-ask
    # model positions not in the article's words (the own words are kept)
    ungrounded: int = Field(default=0, serialization_alias="ungrounded_positions")
    # evidence ids that were not shown
    dropped: list[str] = Field(default_factory=list, serialization_alias="dropped_citations")
    notes: list[str] = Field(default_factory=list)  # e.g. "entailment not checked: ..."
