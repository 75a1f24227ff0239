"""Server-sent events and error statuses: pure functions from values to bytes and numbers."""

from __future__ import annotations

import json
import os
from typing import Any

from newsdesk.errors import ConfigError, InputError, LLMError, NewsdeskError
from newsdesk.llm.client import redact
from newsdesk.serve.jobs import Stopped

# The CLI's exit codes say whose fault it is; HTTP says it this way.
STATUSES: tuple[tuple[type[Exception], int], ...] = (
    (InputError, 400),
    (ConfigError, 400),
    (Stopped, 499),  # nginx's "client closed request": only ever logged
    (LLMError, 502),  # the model or the endpoint failed, not the request
    (NewsdeskError, 500),
)


def sse(event: dict[str, Any]) -> bytes:
    """One event: its `event` field names it, the whole dict is its data (one line of JSON)."""
    name = str(event.get("event", "message"))
    return f"event: {name}\ndata: {json.dumps(event, ensure_ascii=False)}\n\n".encode()


def error_status(exc: BaseException) -> int:
    for kind, status in STATUSES:
        if isinstance(exc, kind):
            return status
    return 500


def error_message(exc: BaseException) -> str:
    """The CLI's one-line message; a bug gets the CLI's internal-error line, key redacted."""
    if isinstance(exc, NewsdeskError):
        text = str(exc)
    else:
        text = f"internal error: {type(exc).__name__}: {exc}"
    line = " ".join(text.split())
    return redact(line, os.environ.get("OPENAI_API_KEY"))


def error_event(exc: BaseException) -> dict[str, Any]:
    return {"event": "error", "status": error_status(exc), "error": error_message(exc)}
