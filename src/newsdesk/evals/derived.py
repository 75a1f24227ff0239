"""promptfoo's derivedMetrics: per prompt, mathjs expressions over its named scores.

promptfoo 0.123.1 (updateDerivedMetrics) recomputes every derived metric after each of a prompt's
cases, in the config's order, over the prompt's running named-score sums, the derived values so
far and `__count` (the prompt's cases so far); an expression that throws keeps the metric's last
value (0 before any). The results land in the prompt's `metrics.namedScores`. The expressions
run in promptfoo's own mathjs under node (js_worker.mjs); this module holds the pure parts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DerivedMetric:
    name: str
    value: str  # a mathjs expression


def problem(item: Any) -> str | None:
    """Why one `derivedMetrics` entry is not {name, value: a mathjs expression} (None: it is).
    promptfoo also takes a JavaScript function as the value (a JavaScript config's); newsdesk
    reads YAML configs and runs only the expressions."""
    if not isinstance(item, Mapping):
        return "a derived metric must be a mapping with `name` and `value`"
    extra = sorted(str(k) for k in item if k not in ("name", "value"))
    if extra:
        return f"unknown key {extra[0]!r} in a derived metric; allowed: name, value"
    name, value = item.get("name"), item.get("value")
    if not isinstance(name, str) or not name:
        return "a derived metric needs a `name` (text)"
    if not isinstance(value, str) or not value.strip():
        return f"derived metric {name!r} needs a `value`: a mathjs expression (text)"
    if value.startswith("file://"):
        return (
            f"derived metric {name!r}: a file:// value (a JavaScript function) is not "
            "supported; write a mathjs expression"
        )
    return None


def row_contributions(named: Mapping[str, float], weights: Mapping[str, float]) -> dict[str, float]:
    """What one case adds to its prompt's named scores: its weighted mean per metric times the
    metric's total weight in the case (promptfoo's accumulateNamedMetric), i.e. the weighted sum
    of the metric's assertion scores."""
    return {k: v * weights.get(k, 1.0) for k, v in named.items()}


def columns(
    rows: Iterable[tuple[tuple[str, str], dict[str, float]]],
) -> dict[tuple[str, str], list[dict[str, float]]]:
    """Each prompt column's (prompt, provider) case contributions, in the order given."""
    out: dict[tuple[str, str], list[dict[str, float]]] = {}
    for column, contribution in rows:
        out.setdefault(column, []).append(contribution)
    return out


def sums(contributions: list[dict[str, float]]) -> dict[str, float]:
    """A prompt's named scores without derived metrics: each metric summed over its cases."""
    out: dict[str, float] = {}
    for c in contributions:
        for k, v in c.items():
            out[k] = out.get(k, 0.0) + v
    return out
