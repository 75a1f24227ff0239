"""The shared core of the assertion types: what a check returns (Grade), what it may look at
(EvalContext), the signature every check has (Check) and the small helpers they share."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsdesk.article import normalise_ws
from newsdesk.evals import jscompat

if TYPE_CHECKING:
    from newsdesk.evals.spec import AssertionSpec
    from newsdesk.llm.client import LLMClient
    from newsdesk.tasks.contract import TaskOutput


WORD_PATTERN = re.compile(r"[^\W_]+", re.UNICODE)  # words, for lexical cosine and party names
PASSED = "Assertion passed"


UNSET: Any = object()  # EvalContext.raw_output not given


class CaseError(Exception):
    """What promptfoo's evaluator does not catch: an error its own `runAssertion` throws (a
    perplexity check on an endpoint that gave no log-probabilities). The case errors, ungraded,
    as in promptfoo; an error inside a check's own code is a failed grade instead."""


@dataclass
class Grade:
    passed: bool
    score: float
    reason: str
    named_scores: dict[str, float] = field(default_factory=dict)
    components: list[Any] = field(default_factory=list)  # (label, Grade) of an assert-set


@dataclass
class EvalContext:
    """What an assertion may look at besides the output text."""

    vars: dict[str, Any]
    task: TaskOutput | None = None
    latency_ms: float | None = None
    cached: bool = False
    cost: float | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    prompt: str = ""  # the prompt as sent (rendered; a chat prompt as its JSON)
    prompt_label: str = ""
    provider: str = ""  # the provider's label
    provider_id: str = ""
    provider_config: dict[str, Any] = field(default_factory=dict)  # as the suite wrote it
    base_dir: Path = field(default_factory=Path.cwd)
    test: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    # resolves a grader provider (an assertion's `provider`, the test's options.provider, or
    # None for the case's own provider) to (client, its embeddings model or None)
    grader: Callable[[Any], tuple[LLMClient, str | None]] | None = None
    # the same for embeddings: a grader map's `embedding` entry (promptfoo's {text, embedding})
    # (client, its embeddings model or None, the provider's id)
    embedder: Callable[[Any], tuple[LLMClient, str | None, str]] | None = None
    # the same for `moderation`: a grader map's `moderation` entry, else promptfoo's default
    # (openai:moderation:omni-moderation-latest); (client, its model, the provider's id)
    moderator: Callable[[Any], tuple[LLMClient, str, str]] | None = None
    # a grader ref (as `grader` takes it) and its kind -> the id promptfoo's reasons name it by
    grader_id: Callable[[Any, str], str] | None = None
    notes: list[str] = field(default_factory=list)
    finish_reason: str | None = None  # the completion's, as the endpoint gave it
    logprobs: list[float] | None = None  # its tokens' log-probabilities, when given
    env: dict[str, Any] = field(default_factory=dict)  # the suite's `env` (templates' `env`)
    rubric_prompt: str | None = None  # options.rubricPrompt: the model-graded checks' prompt
    # the output before coercion to text (what scripts and promptfoo's own checks receive; None
    # is a null output, as a json_schema reply can be); UNSET: not given, the text stands for it
    raw_output: Any = field(default_factory=lambda: UNSET)
    # the output after the provider's transform, before the test's (what contextTransform reads)
    provider_output: Any = field(default_factory=lambda: UNSET)

    def raw(self, text: str) -> Any:
        """The output as promptfoo hands it to a check: the raw one, else `text`."""
        return text if self.raw_output is UNSET else self.raw_output

    def as_dict(self) -> dict[str, Any]:
        """`context` as `python`/`javascript` assertions see it: promptfoo's keys (prompt, vars,
        test, provider, providerResponse) plus newsdesk's task context for built-in tasks."""
        task = self.task
        out: dict[str, Any] = {
            "prompt": self.prompt,
            "vars": self.vars,
            "test": self.test or {"vars": self.vars},
            "provider": {"id": self.provider_id or self.provider, "label": self.provider},
            "providerResponse": {
                "output": task.output if task else None,
                "tokenUsage": {
                    "prompt": self.prompt_tokens,
                    "completion": self.completion_tokens,
                    "total": self.prompt_tokens + self.completion_tokens,
                },
                "cached": self.cached,
                "cost": self.cost,
                "latencyMs": self.latency_ms,
                "finishReason": self.finish_reason,
                **({"logProbs": self.logprobs} if self.logprobs is not None else {}),
            },
            # promptfoo's assertion context has them at the top too
            **({"logProbs": self.logprobs} if self.logprobs is not None else {}),
            "metadata": self.metadata,
            # newsdesk's own (built-in tasks)
            "result": task.result if task else {},
            "citations": [c.to_dict() for c in task.citations] if task else [],
            "dropped": list(task.dropped) if task else [],
            "invalid": list(task.invalid) if task else [],
            "article": task.article.text if task and task.article is not None else "",
            "latency_ms": self.latency_ms,
            "cached": self.cached,
            "cost": self.cost,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
        }
        return out

    def transform_context(self) -> dict[str, Any]:
        """`context` as transforms see it (promptfoo: vars, prompt.label, metadata)."""
        out: dict[str, Any] = {"vars": self.vars, "prompt": {"label": self.prompt_label}}
        if self.metadata:
            out["metadata"] = self.metadata
        return out


# a check gets the output, the rendered value, the spec, the context and whether it is negated
Check = Callable[[str, Any, "AssertionSpec", EvalContext, bool], Grade]


def binary_grade(ok: bool, inverse: bool, fail_reason: str) -> Grade:
    passed = ok != inverse
    return Grade(passed, 1.0 if passed else 0.0, PASSED if passed else fail_reason)


def as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float) or value is None:
        return jscompat.js_str(value)
    return json.dumps(value, ensure_ascii=False)


def as_items(value: Any) -> list[str]:
    """A list, or promptfoo's comma-separated string (quoted fields keep their commas)."""
    if isinstance(value, list):
        return [jscompat.js_str(v) for v in value]
    if isinstance(value, str):
        return jscompat.comma_values(value)
    return [jscompat.js_str(value)]


def shorten(text: str, n: int = 80) -> str:
    text = normalise_ws(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def not_if(inverse: bool) -> str:
    return "not " if inverse else ""
