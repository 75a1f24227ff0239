"""Similarity checks: `similar` (embeddings, or a lexical cosine without them) and `rouge-n`."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from newsdesk.evals import jscompat
from newsdesk.evals.assertions.core import EvalContext, Grade, as_text

if TYPE_CHECKING:
    from newsdesk.evals.spec import AssertionSpec
    from newsdesk.llm.client import LLMClient

DEFAULT_SIMILAR = 0.75  # promptfoo's default threshold for `similar`
DEFAULT_ROUGE = 0.75  # and for `rouge-n`


def _embedding_cosine(llm: LLMClient, model: str, a: str, b: str) -> float:
    x, y = llm.embed(model, [a, b])
    dot = sum(p * q for p, q in zip(x, y, strict=True))
    norm = math.sqrt(sum(p * p for p in x)) * math.sqrt(sum(q * q for q in y))
    return dot / norm if norm else 0.0


def check_similar(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    """promptfoo's similar: cosine of embeddings (the grader provider's: `openai:embedding:MODEL`,
    or a provider whose config names `embeddings`), passing at >= threshold (default 0.75);
    `not-` passes at <= threshold and scores 1 - similarity. Against a list, the first value
    that passes wins (negated: the first that fails). Without embeddings it fails, as promptfoo's
    does (no stand-in measure)."""
    threshold = spec.threshold if spec.threshold is not None else DEFAULT_SIMILAR
    eps = 2.220446049250313e-16
    if ctx.embedder is None:
        return Grade(False, 0.0, "similar needs a grading provider with embeddings")
    llm, emb_model, _ = ctx.embedder(spec.provider)
    if not emb_model:
        return Grade(
            False,
            0.0,
            f"similar: provider {llm.settings.model_name} has no embeddings (use provider: "
            "openai:embedding:MODEL, or set config.embeddings)",
        )
    measure = f"embedding cosine ({emb_model})"

    def scorer(a: str, b: str) -> float:
        return _embedding_cosine(llm, emb_model, a, b)

    def one(reference: Any) -> Grade:
        sim = scorer(as_text(reference), output)
        passed = sim <= threshold + eps if inv else sim >= threshold - eps
        rel = "greater than or equal to" if sim >= threshold - eps else "less than"
        return Grade(
            passed,
            1.0 - sim if inv else sim,
            f"{measure} {sim:.2f} is {rel} threshold {threshold:g}",
        )

    if not isinstance(value, list):
        return one(value)
    if inv:
        closest: Grade | None = None
        for reference in value:
            result = one(reference)
            if not result.passed:
                return result
            if closest is None or result.score < closest.score:
                closest = result
        assert closest is not None
        return closest
    best = -math.inf
    for reference in value:
        result = one(reference)
        if result.passed:
            return result
        best = max(best, result.score)
    return Grade(False, best, "None of the provided values met the similarity threshold")


def rouge_n(candidate: str, reference: str, n: int = 1) -> float:
    """promptfoo's ROUGE-N (n = 1): js-rouge's Treebank tokens, lower-cased, clipped counts."""
    if n != 1:
        raise ValueError("rouge-n is ROUGE-1, as in promptfoo")
    return jscompat.rouge_1(candidate, reference)


def check_rouge(output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool) -> Grade:
    if not isinstance(value, str):
        raise ValueError('"rouge" assertion type must be a string value')
    threshold = spec.threshold if spec.threshold is not None else DEFAULT_ROUGE
    score = jscompat.rouge_1(output, value)
    rel = "greater than or equal to" if score >= threshold else "less than"
    return Grade(
        (score >= threshold) != inv,
        1.0 - score if inv else score,
        f"ROUGE-N score {score:.2f} is {rel} threshold {threshold:g}",
    )
