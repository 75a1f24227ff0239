"""`answer-relevance`: promptfoo 0.123.1's matchesAnswerRelevance. The grader writes a question
for the output three times (promptfoo's ANSWER_RELEVANCY_GENERATE, or the test's rubricPrompt);
the score is the mean cosine between the embedding of each question and of the `query` var (else
the prompt). Embeddings come from the grader's `embedding` entry ({text, embedding}, as promptfoo
takes them), or a grader that has them."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from newsdesk.errors import NewsdeskError
from newsdesk.evals import jscompat
from newsdesk.evals.assertions.core import CaseError, EvalContext, Grade
from newsdesk.evals.assertions.model_graded import ask_grader, grading_prompt, try_parse_json
from newsdesk.llm.client import redact

if TYPE_CHECKING:
    from newsdesk.evals.spec import AssertionSpec

QUESTIONS = 3
DEFAULT_THRESHOLD = 0.5
EPSILON = 2.220446049250313e-16  # JavaScript's Number.EPSILON


def cosine(a: list[float], b: list[float]) -> float:
    """promptfoo's cosineSimilarity: 0 when either vector is all zeros."""
    if len(a) != len(b):
        raise ValueError("Vectors must be of equal length")
    norm_a, norm_b = math.sqrt(sum(x * x for x in a)), math.sqrt(sum(y * y for y in b))
    if norm_a == 0 or norm_b == 0:
        return 0.0
    return sum(x * y for x, y in zip(a, b, strict=True)) / (norm_a * norm_b)


def verdict(similarities: list[float], threshold: float, inverse: bool) -> Grade:
    """The mean similarity against the threshold (`not-`: the verdict and score inverted, as
    promptfoo's applyRagInverse does)."""
    similarity = sum(similarities) / len(similarities)
    passed = similarity >= threshold - EPSILON
    relation = "greater" if passed else "less"
    reason = (
        f"Relevance {jscompat.js_to_fixed(similarity, 2)} is {relation} than threshold "
        f"{jscompat.js_str(threshold)}"
    )
    if inverse:
        return Grade(not passed, 1 - similarity, reason)
    return Grade(passed, similarity, reason)


def _grader_failure(reason: str) -> Grade:
    """promptfoo's graderFail: failed, and never inverted."""
    return Grade(False, 0.0, reason)


def check_answer_relevance(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    if not isinstance(ctx.raw(output), str):  # promptfoo's invariants error the case
        raise CaseError(
            "Error: Invariant failed: answer-relevance assertion type must evaluate a string output"
        )
    if not ctx.prompt:
        raise CaseError(
            "Error: Invariant failed: answer-relevance assertion type must have a prompt"
        )
    query = ctx.vars.get("query")
    query = query if isinstance(query, str) else ctx.prompt
    threshold = spec.threshold if spec.threshold is not None else DEFAULT_THRESHOLD
    template = ctx.rubric_prompt or grading_prompt("ANSWER_RELEVANCY_GENERATE")
    # promptfoo checks the embedding provider first, before any question is asked
    if ctx.embedder is None:
        raise CaseError("Error: No provider of type embedding found for 'answer relevancy check'")
    llm, model, ident = ctx.embedder(spec.provider)
    if not model:  # promptfoo throws for a grader that is no embedding provider
        raise CaseError(
            f"Error: Provider {ident} is not a valid embedding provider for 'answer relevancy "
            "check'"
        )
    questions: list[str] = []
    for _ in range(QUESTIONS):
        try:
            question = ask_grader(spec, ctx, template, {"answer": try_parse_json(output)})
        except NewsdeskError as exc:
            return _grader_failure(str(exc))
        if not question:
            return _grader_failure("No output")
        questions.append(question)
    try:
        (wanted,) = llm.embed(model, [query])
        similarities = [cosine(wanted, llm.embed(model, [q])[0]) for q in questions]
    except Exception as exc:  # an embedding that failed fails the check, as in promptfoo
        return _grader_failure(redact(str(exc), llm.settings.api_key))
    return verdict(similarities, threshold, inv)
