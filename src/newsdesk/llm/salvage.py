"""JSON cut off at the token limit: keep its complete part."""

from __future__ import annotations

import json
from typing import Any


def salvage_json(text: str) -> Any:
    """Parse JSON; when it was cut off at the token limit, keep the complete part.

    '{"headline": "X", "points": [{"cites": ["S1"], "text": "A"}, {"cites": ["S2"], "te'
    gives the headline and the first point. None when nothing complete remains.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    ends = [i for i, ch in enumerate(text) if ch == "}"][-40:]
    for i in reversed(ends):
        for tail in ("]}", "}", "]}]}", "", "]"):
            try:
                data = json.loads(text[: i + 1] + tail)
            except json.JSONDecodeError:
                continue
            if isinstance(data, dict):
                return data
    return None
