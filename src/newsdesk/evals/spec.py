"""One assertion of a suite, as parsed: what the suite parser (evals.suite) builds and the
graders (evals.assertions) check. Its own module so that neither imports the other for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class AssertionSpec:
    type: str  # without the `not-` prefix
    negate: bool = False
    value: Any = None
    threshold: float | None = None
    weight: float = 1.0
    transform: str | None = None
    provider: Any = None  # a grader provider for llm-rubric / similar
    context_transform: str | None = None  # the RAG checks' contextTransform
    metric: str | None = None
    line: int = 0
    children: list[AssertionSpec] = field(default_factory=list)  # assert-set
    raw: dict[str, Any] = field(default_factory=dict)  # as the suite wrote it (reports)

    @property
    def label(self) -> str:
        return ("not-" if self.negate else "") + self.type
