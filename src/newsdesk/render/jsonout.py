"""JSON output: one stable, documented shape, with a JSON Schema to validate it."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from newsdesk.tasks.brief import Briefing


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RefModel(_Strict):
    article: int
    id: str
    text: str
    start: int
    end: int


class StatementModel(_Strict):
    text: str
    origin: Literal["model", "extract", "rule"]
    citations: list[RefModel]


class UnknownModel(StatementModel):
    kind: Literal["anonymous source", "denial", "unconfirmed"]


class PartyModel(_Strict):
    name: str
    kind: str
    role: str
    aliases: list[str]
    speaks: bool
    position: StatementModel


class SentenceModel(_Strict):
    id: str
    text: str
    start: int
    end: int
    paragraph: int


class UsageModel(_Strict):
    model: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    cached: bool
    cached_prompt_tokens: int  # read from the server's KV cache, not processed again
    calls: int
    tries: int
    cost_usd: float | None


class ArticleModel(_Strict):
    index: int
    source: str
    headline: StatementModel
    key_points: list[StatementModel]
    parties: list[PartyModel]
    disagreements: list[StatementModel]
    unknowns: list[UnknownModel]
    questions: list[StatementModel]
    sentences: list[SentenceModel]
    shown_ids: list[str]
    rejected_statements: list[str]
    notes: list[str]
    usage: UsageModel


class SynthesisModel(_Strict):
    points: list[StatementModel]
    shared_parties: list[StatementModel]


class BriefingModel(_Strict):
    """`newsdesk brief --json` (and `-o brief.json`)."""

    schema_id: Literal["newsdesk.brief/1"] = Field(alias="schema")
    model: str
    articles: list[ArticleModel]
    synthesis: SynthesisModel | None
    usage: UsageModel


def briefing_json_schema() -> dict[str, Any]:
    """The JSON Schema of the output (field names as printed)."""
    return BriefingModel.model_json_schema(by_alias=True)


def validate_briefing(data: dict[str, Any]) -> BriefingModel:
    """Raises pydantic.ValidationError when `data` does not follow the schema."""
    return BriefingModel.model_validate(data)


def render_json(briefing: Briefing) -> str:
    return json.dumps(briefing.to_dict(), ensure_ascii=False, indent=2) + "\n"
