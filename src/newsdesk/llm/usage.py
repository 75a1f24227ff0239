"""Usage records: tokens, latency and an estimated cost for every call."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ConfigDict, PrivateAttr, computed_field, field_serializer, model_validator

from newsdesk.schema import Record

# USD per million tokens (input, output). Unknown models report tokens only.
PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "o4-mini": (1.10, 4.40),
}


def price_for(model: str) -> tuple[float, float] | None:
    # Dated snapshots ("gpt-4o-mini-2024-07-18") price like their base name; longest match wins.
    for name in sorted(PRICES, key=len, reverse=True):
        if model == name or model.startswith(name + "-"):
            return PRICES[name]
    return None


def estimate_cost(model: str, prompt_tokens: int, completion_tokens: int) -> float | None:
    price = price_for(model)
    if price is None:
        return None
    return (prompt_tokens * price[0] + completion_tokens * price[1]) / 1_000_000


class Usage(Record):
    """Tokens, time and calls of one call, or summed over several (`UsageLog.total`)."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    model: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    cached: bool = False
    # prompt tokens the server did not have to read: its KV cache held them (llama.cpp reports
    # them as usage.prompt_tokens_details.cached_tokens, like OpenAI's prompt caching)
    cached_prompt_tokens: int = 0
    calls: int = 0
    tries: int = 0

    # what a total's records spent (`UsageLog.total`): it can mix cache hits and fresh calls
    _spent: float | None = PrivateAttr(default=None)

    @property
    def cost(self) -> float | None:
        """The list price of these tokens, cached or not."""
        return estimate_cost(self.model, self.prompt_tokens, self.completion_tokens)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def cost_usd(self) -> float | None:
        """What this run spent, printed with --json: an answer from the response cache cost
        nothing now, so it is 0, not the price of the call that first made it."""
        if self._spent is not None:
            return round(self._spent, 8)
        cost = self.cost
        if cost is None:
            return None
        return 0.0 if self.cached else round(cost, 8)

    @model_validator(mode="before")
    @classmethod
    def _drop_computed(cls, data: Any) -> Any:
        """A printed Usage read back: `cost_usd` is derived from the other fields."""
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in cls.model_computed_fields}
        return data

    @field_serializer("seconds")
    def _round(self, seconds: float) -> float:
        return round(seconds, 3)


@dataclass
class UsageLog:
    """Every call of one command, summed for the footer and --json."""

    records: list[Usage] = field(default_factory=list)

    def add(self, usage: Usage) -> None:
        self.records.append(usage)

    def mark(self) -> int:
        """Where a task starts: `since(mark)` sums what it used."""
        return len(self.records)

    def since(self, mark: int) -> Usage:
        return UsageLog(self.records[mark:]).total()

    def total(self) -> Usage:
        total = Usage(model=self.records[-1].model if self.records else "")
        for r in self.records:
            total.prompt_tokens += r.prompt_tokens
            total.completion_tokens += r.completion_tokens
            total.cached_prompt_tokens += r.cached_prompt_tokens
            total.seconds += r.seconds
            total.calls += r.calls
            total.tries += r.tries
        total.cached = bool(self.records) and all(r.cached for r in self.records)
        spent = [r.cost_usd for r in self.records]
        if self.records and all(c is not None for c in spent):
            total._spent = sum(c for c in spent if c is not None)
        return total
