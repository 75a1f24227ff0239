"""One task run for one request: its own client on the shared model and cache, progress out,
a stop flag in.

Each request gets a fresh `LLMClient` (its usage is its own), sharing the process's embedded
server (started once, kept for the server's life), its saved KV states and one response cache.
Progress is reported after every model call; the stop flag is read before every call, so a
request whose client left ends at the next call and its half-done answer is never recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from newsdesk.config import Settings
from newsdesk.errors import NewsdeskError
from newsdesk.llm.cache import ResponseCache
from newsdesk.llm.client import Completion, LLMClient
from newsdesk.prompts import Message

Report = Callable[[dict[str, Any]], None]


class Stopped(NewsdeskError):
    """The request's client went away: the work stopped before its next model call."""

    exit_code = 1


class ServeClient(LLMClient):
    """An LLMClient that reports each call and stops when told."""

    def __init__(
        self,
        settings: Settings,
        cache: ResponseCache | None,
        report: Report,
        stop: threading.Event,
    ) -> None:
        super().__init__(settings, cache=cache)
        self.report = report
        self.stop = stop
        self.calls = 0

    def chat(self, messages: list[Message], **kwargs: Any) -> Completion:
        if self.stop.is_set():
            raise Stopped("the client went away; the work stopped")
        completion = super().chat(messages, **kwargs)
        self.calls += 1
        u = completion.usage
        self.report(
            {
                "event": "call",
                "n": self.calls,
                "what": kwargs.get("schema_name", "result"),
                "seconds": round(u.seconds, 2),
                "prompt_tokens": u.prompt_tokens,
                "cached_prompt_tokens": u.cached_prompt_tokens,
            }
        )
        return completion
