"""JSON output: one stable, documented shape (the briefing's Records), with its JSON Schema."""

from __future__ import annotations

import json
from typing import Any

from newsdesk.tasks.brief.results import Briefing


def briefing_json_schema() -> dict[str, Any]:
    """The JSON Schema of the output (field names as printed)."""
    return Briefing.json_schema()


def validate_briefing(data: dict[str, Any]) -> Briefing:
    """Raises pydantic.ValidationError when `data` does not follow the schema (unknown keys
    included)."""
    return Briefing.model_validate(data)


def render_json(briefing: Briefing) -> str:
    return json.dumps(briefing.to_dict(), ensure_ascii=False, indent=2) + "\n"
