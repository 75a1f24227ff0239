"""Model-graded checks: `llm-rubric`, with promptfoo's grading prompt and verdict reading (the other
model-graded checks: model_graded.py)."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from newsdesk.evals import jscompat, templates
from newsdesk.evals.assertions.core import EvalContext, Grade, as_text, shorten
from newsdesk.evals.assertions.model_graded import grading_prompt, prompt_messages, try_parse_json
from newsdesk.prompts import render

if TYPE_CHECKING:
    from newsdesk.evals.spec import AssertionSpec


def check_rubric(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    """promptfoo's llm-rubric: the grader answers JSON {reason, pass, score}; pass defaults to
    true and score to the pass; with a threshold the score must reach it; `not-` flips the pass
    and scores 1 - score. The bundled embedded model (a base model) gets newsdesk's few-shot
    completion prompt instead of promptfoo's chat, and the same parsing."""
    if ctx.grader is None:
        return Grade(False, 0.0, "llm-rubric needs a grading provider")
    llm, _ = ctx.grader(spec.provider)
    rubric = as_text(value)
    if llm.settings.embedded and not llm.settings.gguf:
        # the base model follows few-shot JSON; a schema (grammar-enforced) keeps it valid
        text = render("eval-rubric.j2", output=output, rubric=rubric)
        schema = {
            "type": "object",
            "properties": {
                "reason": {"type": "string"},
                "passed": {"type": "boolean"},
                "score": {"type": "number", "minimum": 0, "maximum": 1},
            },
            "required": ["reason", "passed", "score"],
            "additionalProperties": False,
        }
        content = llm.chat(
            [{"role": "user", "content": text}], max_tokens=160, schema=schema, schema_name="grade"
        ).content
    else:
        # promptfoo's grading prompt (or the test's rubricPrompt), rendered as promptfoo does
        template = ctx.rubric_prompt or grading_prompt("DEFAULT_GRADING_PROMPT")
        context = {**ctx.vars, "output": try_parse_json(output), "rubric": value}
        text = templates.render_grading_prompt(template, context)
        content = llm.chat(prompt_messages(text), max_tokens=1024).content  # openai default
    found = jscompat.extract_json_objects(content)
    parsed = next((o for o in found if isinstance(o, dict)), None)
    if parsed is None:
        return Grade(False, 0.0, f"llm-rubric: the grader answered no JSON: {shorten(content)}")
    raw_pass = parsed.get("pass", parsed.get("passed", True))
    if not isinstance(raw_pass, bool):
        raw_pass = re.fullmatch(r"true|yes|pass|y", str(raw_pass), re.IGNORECASE) is not None
    score: Any = parsed.get("score")
    if isinstance(score, bool) or not isinstance(score, int | float):
        try:
            score = float(score)
        except (TypeError, ValueError):
            score = float(raw_pass)
        if math.isnan(score):
            score = float(raw_pass)
    result = interpret_rubric(
        raw_pass, float(score), str(parsed.get("reason") or ""), spec.threshold, llm.model
    )
    if inv:
        return Grade(not result.passed, 1.0 - result.score, result.reason)
    return result


def interpret_rubric(
    passed: bool, score: float, reason: str, threshold: float | None, grader: str
) -> Grade:
    """The grader's verdict; with a threshold, the score must also reach it (pure). The score is
    the grader's, unclamped, as in promptfoo."""
    score = float(score)
    ok = passed and (threshold is None or score >= threshold)
    return Grade(ok, score, f"graded by {grader}: {shorten(reason, 160)}")
