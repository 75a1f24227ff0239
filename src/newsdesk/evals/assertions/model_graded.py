"""promptfoo's model-graded checks beyond llm-rubric: `model-graded-closedqa`, `factuality`,
`g-eval`, `context-recall`, `context-relevance` and `context-faithfulness`, and llm-rubric's
`rubricPrompt`. The grading prompt is
promptfoo's own (its default prompts, evaluated from its source: promptfoo_grading_prompts.json
and js_rag.mjs; or the test's `rubricPrompt`), rendered as promptfoo renders it
(templates.render_grading_prompt); the verdict is read by promptfoo's rules (ported below, or
its own code in js_rag.mjs)."""

from __future__ import annotations

import contextlib
import json
import math
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsdesk.evals import jscompat, node, templates
from newsdesk.evals.assertions.core import UNSET, CaseError, EvalContext, Grade
from newsdesk.evals.assertions.transforms import NO_VALUE, apply_transform

if TYPE_CHECKING:
    from newsdesk.evals.spec import AssertionSpec

PROMPTS_FILE = Path(__file__).resolve().parents[1] / "promptfoo_grading_prompts.json"
FACTUALITY_CATEGORIES = {
    "A": "The submitted answer is a subset of the expert answer and is fully consistent with it.",
    "B": "The submitted answer is a superset of the expert answer and is fully consistent with it.",
    "C": "The submitted answer contains all the same details as the expert answer.",
    "D": "There is a disagreement between the submitted answer and the expert answer.",
    "E": "The answers differ, but these differences don't matter from the perspective of "
    "factuality.",
}


@cache
def grading_prompt(name: str) -> str:
    """One of promptfoo's default grading prompts (a JSON chat, as promptfoo keeps it)."""
    prompts: dict[str, str] = json.loads(PROMPTS_FILE.read_text(encoding="utf-8"))
    return prompts[name]


def try_parse_json(text: str) -> Any:
    """promptfoo's tryParse: JSON when the text is JSON, else the text."""
    try:
        return jscompat.js_json_parse(text)
    except ValueError:
        return text


def prompt_messages(prompt: str) -> list[dict[str, Any]]:
    """The messages promptfoo's openai provider sends for a prompt: a JSON chat as itself, any
    other text as one user message."""
    if prompt.lstrip().startswith("["):
        try:
            chat = jscompat.js_json_parse(prompt)
        except ValueError:
            chat = None
        if isinstance(chat, list) and all(isinstance(m, dict) and "role" in m for m in chat):
            return chat
    return [{"role": "user", "content": prompt}]


def ask_grader(
    spec: AssertionSpec, ctx: EvalContext, template: str, context: dict[str, Any]
) -> str:
    """The grader's answer to the rendered grading prompt (promptfoo's openai default: 1024
    tokens)."""
    if ctx.grader is None:
        raise ValueError(f"{spec.type} needs a grading provider")
    llm, _ = ctx.grader(spec.provider)
    messages = prompt_messages(templates.render_grading_prompt(template, context))
    return llm.chat(messages, max_tokens=1024).content


def _graded_against(
    output: str, reference: tuple[str, Any], prompt: str, spec: AssertionSpec, ctx: EvalContext
) -> str:
    """The grader's answer to promptfoo's `prompt` (or the test's rubricPrompt) over the vars,
    the prompt as `input`, the output as `completion` and the reference under its name."""
    name, value = reference
    context = {**ctx.vars, "input": ctx.prompt, name: value, "completion": try_parse_json(output)}
    return ask_grader(spec, ctx, ctx.rubric_prompt or grading_prompt(prompt), context)


def check_closedqa(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    """promptfoo's matchesClosedQa: passes when the answer ends with "Y"."""
    answer = _graded_against(output, ("criteria", value), "OPENAI_CLOSED_QA_PROMPT", spec, ctx)
    if not answer:
        return Grade(False, 0.0, "No output")
    passed = answer.rstrip().endswith("Y")
    if passed:
        reason = f"The submission meets the criterion:\n{answer}"
    elif answer.rstrip().endswith("N"):
        reason = f"The submission does not meet the criterion:\n{answer}"
    else:
        reason = f"Model grader produced a malformed response:\n{answer}"
    return Grade(passed, 1.0 if passed else 0.0, reason)


def check_factuality(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    """promptfoo's matchesFactuality: the grader's category (JSON, else the legacy `(A)` form);
    A, B, C and E pass with score 1, D fails with 0 (the test's options.factuality may rescore)."""
    answer = _graded_against(output, ("ideal", value), "PROMPTFOO_FACTUALITY_PROMPT", spec, ctx)
    if not answer:
        return Grade(False, 0.0, "No output")
    try:
        parsed = _factuality_json(answer) or _factuality_legacy(answer)
    except ValueError as exc:
        return Grade(False, 0.0, str(exc))
    option, reason = parsed
    scores = {"A": 1.0, "B": 1.0, "C": 1.0, "D": 0.0, "E": 1.0}
    names = {"A": "subset", "B": "superset", "C": "agree", "D": "disagree", "E": "differButFactual"}
    custom = ctx.test.get("options", {}).get("factuality") if isinstance(ctx.test, dict) else None
    if isinstance(custom, dict):
        scores = {k: float(custom.get(names[k], v)) for k, v in scores.items()}
    passed = scores[option] > 0
    return Grade(passed, scores[option], reason)


def _factuality_json(answer: str) -> tuple[str, str] | None:
    objects = jscompat.extract_json_objects(answer)
    data = objects[0] if objects else None
    if not isinstance(data, dict) or not isinstance(data.get("category"), str):
        return None
    if not data["category"]:
        return None
    option = data["category"].strip().upper()
    if not re.fullmatch(r"[A-E]", option):
        raise ValueError(f"Invalid category value: {option}")
    reason = data.get("reason")
    reason = reason.strip() if isinstance(reason, str) else ""
    return option, reason or f"Category {option}: {FACTUALITY_CATEGORIES[option]}"


def _factuality_legacy(answer: str) -> tuple[str, str]:
    m = re.search(r"\s*\(?([a-eA-E])\)", answer)
    if m is None:
        raise ValueError(f"Factuality checker output did not match expected format: {answer}")
    reason = re.search(r"\)\s*(.*)", answer, re.DOTALL)
    return m.group(1).upper(), (reason.group(1).strip() if reason and reason.group(1) else answer)


NO_CONTEXT = (
    'Context is required for context-based assertions. Provide either a "context" variable '
    '(string or array of strings) in your test case or use "contextTransform" to extract context '
    "from the provider response."
)


def _rag_context(spec: AssertionSpec, ctx: EvalContext, fallback: str | None) -> str | list[str]:
    """promptfoo's resolveContext: the `context` var (text, or a list of texts), else the
    fallback (context-recall: the prompt); a contextTransform's result replaces either. What
    promptfoo throws here errors the case (CaseError), as its uncaught throw does."""
    value = ctx.vars.get("context")
    context: Any = None
    if _js_truthy(value):
        if isinstance(value, str):
            context = value
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if not isinstance(item, str):
                    raise CaseError(
                        "Error: Invariant failed: Invalid context: expected an array of strings, "
                        f"but found {_js_typeof(item)} at index {index}"
                    )
            context = value
    elif fallback:
        context = fallback
    if spec.context_transform is not None:
        context = _transformed_context(spec.context_transform, ctx)
    if isinstance(context, str) and context:
        return context
    if isinstance(context, list) and context and all(isinstance(c, str) and c for c in context):
        return [str(c) for c in context]
    raise CaseError(f"Error: Invariant failed: {NO_CONTEXT}")


def _query(ctx: EvalContext, kind: str) -> str:
    """The `query` var; promptfoo's invariant errors the case without one."""
    query = ctx.vars.get("query")
    if not isinstance(query, str):
        raise CaseError(
            f'Error: Invariant failed: {kind} assertion requires a "query" variable with the '
            "user question"
        )
    return query


def _transformed_context(code: str, ctx: EvalContext) -> str | list[str]:
    """The contextTransform's result over the output after the provider's transform (before the
    test's), given the test's vars and the prompt as `context.prompt.label`, as promptfoo does."""
    label = _transform_label(code)
    given = ctx.provider_output is not UNSET and ctx.provider_output is not None
    source = ctx.provider_output if given else ctx.raw("")
    test_vars = ctx.test.get("vars", ctx.vars) if isinstance(ctx.test, dict) else ctx.vars
    try:
        try:
            value = apply_transform(
                code, source, ctx, context={"vars": test_vars, "prompt": {"label": ctx.prompt}}
            )
        except ValueError as exc:
            if str(exc) != NO_VALUE:
                raise
            raise ValueError(f"{NO_VALUE}\n\n{label}") from None
        if not isinstance(value, str) and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            raise ValueError(
                "Invariant failed: contextTransform must return a string or array of strings. "
                f"Got {_js_typeof(value)}. Check your transform expression: {label}"
            )
    except Exception as exc:  # promptfoo words every failure of the transform the same way
        raise CaseError(
            f"Error: Failed to transform context using expression '{label}': {exc}"
        ) from None
    return value


def _transform_label(code: str) -> str:
    """promptfoo's getTransformLabel."""
    if code.startswith("file://"):
        return "[file transform]"
    line = " ".join(code.split())
    return f"[inline transform]: {line[:79] + '…' if len(line) > 80 else line}"


def _js_truthy(value: Any) -> bool:
    if isinstance(value, float) and math.isnan(value):
        return False
    return value is not None and value is not False and value != "" and value != 0


def _js_typeof(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "string" if isinstance(value, str) else "object"


def _rag(
    spec: AssertionSpec,
    ctx: EvalContext,
    context: Any,
    variables: dict[str, Any],
    template: str | None = None,
) -> Grade:
    """Grade with promptfoo's context prompt and read the answer with its code (js_rag.mjs)."""
    if template is None:
        template = ctx.rubric_prompt or str(node.worker().call("rag_prompt", spec.type, {})[0])
    answer = ask_grader(spec, ctx, template, variables)
    threshold = spec.threshold if spec.threshold is not None else 0.5
    arg = {"type": spec.type, "output": answer, "context": context, "threshold": threshold}
    verdict, _ = node.worker().call("rag_verdict", arg, {})
    grade = Grade(bool(verdict["pass"]), float(verdict["score"]), str(verdict["reason"]))
    if spec.negate and not verdict["graderError"]:  # promptfoo's applyRagInverse
        return Grade(not grade.passed, 1.0 - grade.score, grade.reason)
    return grade


def check_context_recall(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    """promptfoo's context-recall: the share of the expected answer's sentences the grader
    attributes to the context."""
    context = _rag_context(spec, ctx, ctx.prompt)
    serialized = "\n\n".join(context) if isinstance(context, list) else context
    return _rag(spec, ctx, context, {**ctx.vars, "context": serialized, "groundTruth": value})


def check_context_relevance(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    """promptfoo's context-relevance: the share of the context's sentences the grader extracts
    as needed for the `query` var."""
    query = _query(ctx, "context-relevance")
    context = _rag_context(spec, ctx, None)
    serialized = "\n\n".join(context) if isinstance(context, list) else context
    return _rag(spec, ctx, context, {"context": serialized, "query": query})


def check_context_faithfulness(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    """promptfoo's context-faithfulness: the grader splits the output into statements, then judges
    each against the context; the score is the share it finds supported."""
    query = _query(ctx, "context-faithfulness")
    if ctx.rubric_prompt:
        raise ValueError("a rubricPrompt for context-faithfulness is not supported by newsdesk")
    context = _rag_context(spec, ctx, None)
    longform = str(node.worker().call("rag_prompt", "context-faithfulness", {})[0])
    first = {**ctx.vars, "question": query, "answer": try_parse_json(output)}
    answer = ask_grader(spec, ctx, longform, first)
    if not answer:
        return Grade(False, 0.0, "No output")
    statements, _ = node.worker().call("rag_statements", answer, {})
    if not statements:
        return Grade(False, 0.0, "Could not extract context-faithfulness statements")
    serialized = "\n\n".join(context) if isinstance(context, list) else context
    nli = str(node.worker().call("rag_prompt", "context-faithfulness-nli", {})[0])
    second = {**ctx.vars, "context": serialized, "statements": statements}
    return _rag(spec, ctx, statements, second, template=nli)


GEVAL_MAX_SCORE = 10


def check_geval(output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool) -> Grade:
    """promptfoo's handleGEval: each criterion (a text, or a list averaged) graded by
    matchesGEval, passing at `threshold` (default 0.7) of the 0-10 score; a grader's failure
    fails the assertion (score 0) whatever its negation."""
    threshold = spec.threshold if spec.threshold is not None else 0.7
    if not (isinstance(value, str) or _texts(value)):
        # promptfoo's invariant throws, and nothing catches it: the case errors
        raise CaseError(
            "Error: Invariant failed: G-Eval assertion type must have a string or array of "
            "strings value"
        )
    if isinstance(value, list) and not value:
        reason = "G-Eval assertion requires at least one criterion string in the value array."
        return Grade(False, 0.0, reason)
    scores, reasons = [], []
    for index, criterion in enumerate([value] if isinstance(value, str) else value):
        try:
            one, why = _geval(criterion, ctx.prompt, output, spec, ctx)
        except _GraderFailed as failed:
            if isinstance(value, str):
                return Grade(False, 0.0, str(failed))
            label = f"{index + 1}/{len(value)} ({jscompat.js_stringify(criterion)})"
            return Grade(False, 0.0, f"G-Eval criterion {label} failed: {failed}")
        scores.append(one)
        reasons.append(why)
    score = sum(scores) / len(scores)
    passed = (score >= threshold) != inv
    return Grade(passed, 1.0 - score if inv else score, "\n\n".join(reasons))


class _GraderFailed(Exception):
    """promptfoo's graderFail: the grader's reply cannot be read (the reason says why)."""


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


# JavaScript's `.`: any character but a line terminator (Python's `.` crosses \r, \u2028...)
_JS_DOT = "[^\n\r\u2028\u2029]"


def _json_in(answer: str, pattern: str, what: str) -> Any:
    """The first match of `pattern` in the grader's reply, parsed as JSON (promptfoo's
    `output.match(/.../g)[0]`)."""
    found = re.findall(pattern, answer)
    if not found:
        raise _GraderFailed(f"LLM-proposed evaluation {what} not in JSON format: {answer}")
    try:
        return jscompat.js_json_parse(found[0])
    except ValueError as exc:
        message = node.json_parse_message(found[0], str(exc))  # promptfoo quotes V8's words
        raise _GraderFailed(
            f"LLM-proposed evaluation {what} not in JSON format: {message}\n\n{answer}"
        ) from None


def _geval(
    criteria: str, prompt: str, output: str, spec: AssertionSpec, ctx: EvalContext
) -> tuple[float, str]:
    """promptfoo's matchesGEval: the grader proposes evaluation steps, then scores the reply
    against them: (score 0-1, reason), or _GraderFailed."""
    if not prompt:
        # thrown in promptfoo, outside its grader's checks: the case errors
        raise CaseError("Error: No source text to estimate reply")
    steps_prompt, evaluate_prompt = _geval_prompts(ctx.rubric_prompt)
    grader = ctx.grader_id(spec.provider, "text") if ctx.grader_id else "the grader"
    answer = ask_grader(spec, ctx, steps_prompt, {"criteria": criteria})
    if not answer:
        raise _GraderFailed(f"G-Eval step-generation call to {grader} returned no output")
    parsed = _json_in(answer, '\\{"steps"' + _JS_DOT + "+\\}", "steps are")
    steps = parsed.get("steps", _MISSING) if isinstance(parsed, dict) else _MISSING
    if not isinstance(steps, list):
        raise _GraderFailed(f"G-Eval steps response has invalid or missing steps: {_js(steps)}")
    if not steps:
        raise _GraderFailed("LLM does not propose any evaluation step")
    if not all(isinstance(s, str) and s.strip() for s in steps):
        raise _GraderFailed(f"G-Eval steps response contains invalid steps: {_js(steps)}")
    variables = {
        "criteria": criteria,
        "steps": "\n- ".join(steps),
        "maxScore": str(GEVAL_MAX_SCORE),
        "input": try_parse_json(prompt),
        "output": try_parse_json(output),
    }
    answer = ask_grader(spec, ctx, evaluate_prompt, variables)
    if not answer:
        raise _GraderFailed(f"G-Eval evaluation call to {grader} returned no output")
    result = _json_in(answer, "\\{" + _JS_DOT + "+\\}", "result is")
    raw = result.get("score", _MISSING) if isinstance(result, dict) else _MISSING
    score = _js_number(raw)
    if score is None:
        raise _GraderFailed(f"G-Eval result has invalid or missing score: {_js(raw)}")
    if score < 0 or score > GEVAL_MAX_SCORE:
        raise _GraderFailed(
            f"G-Eval result score {_js(score)} is outside the expected 0-{GEVAL_MAX_SCORE} range"
        )
    reason = result.get("reason", _MISSING)
    if not isinstance(reason, str) or not reason.strip():
        raise _GraderFailed(f"G-Eval result has invalid or missing reason: {_js(reason)}")
    return score / GEVAL_MAX_SCORE, reason


_MISSING = object()  # JavaScript's undefined: a key the grader's JSON does not have


def _js(value: Any) -> str:
    """JSON.stringify, as promptfoo quotes a bad value in its reasons (undefined: "undefined")."""
    return "undefined" if value is _MISSING else jscompat.js_stringify(value)


def _js_number(value: Any) -> float | None:
    """promptfoo's reading of a score: a number, or a non-blank text Number() reads; finite."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and value.strip():
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _geval_prompts(rubric: str | None) -> tuple[str, str]:
    """The steps and evaluate prompts: promptfoo's own, or the test's rubricPrompt when it is
    an object with `steps` / `evaluate` (a text rubricPrompt is not g-eval's)."""
    own: dict[str, Any] = {}
    if rubric:
        with contextlib.suppress(ValueError):
            parsed = jscompat.js_json_parse(rubric)
            own = parsed if isinstance(parsed, dict) else {}
    steps = own.get("steps")
    evaluate = own.get("evaluate")
    return (
        steps if isinstance(steps, str) and steps else grading_prompt("GEVAL_PROMPT_STEPS"),
        evaluate
        if isinstance(evaluate, str) and evaluate
        else grading_prompt("GEVAL_PROMPT_EVALUATE"),
    )
