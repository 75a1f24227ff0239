"""`moderation`: promptfoo 0.123.1's handleModeration and matchesModeration with its OpenAI
moderation provider. The output (never the prompt) is POSTed to the moderation provider's
/moderations as {model, input}; each category a flagged result marks is a flag, and `value` (a
list of categories) keeps only those it names. An endpoint that fails fails the assertion, even
under `not-` (promptfoo's grader failure)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newsdesk.errors import ConfigError
from newsdesk.evals import jscompat, node
from newsdesk.evals.assertions.core import CaseError, EvalContext, Grade
from newsdesk.llm.client import redact

if TYPE_CHECKING:
    from newsdesk.evals.spec import AssertionSpec

DEFAULT_MODEL = "omni-moderation-latest"
# promptfoo's OPENAI_MODERATION_MODELS with the "image" capability: these take their input as
# [{type: "text", text}], any other model as plain text
IMAGE_MODELS = ("omni-moderation-latest", "omni-moderation-2024-09-26")
CHECK = "moderation check"


def value_problem(value: Any) -> str | None:
    """promptfoo's invariant on the assertion's value as written: none, or a list whose first
    item is text (an empty list fails it too)."""
    empty = value is None or value is False or value == "" or value == 0
    if empty or (isinstance(value, list) and value and isinstance(value[0], str)):
        return None
    return "Error: Invariant failed: moderation assertion value must be a string array if set"


def moderation_input(text: str, model: str) -> Any:
    """formatModerationInput: what the request's `input` is for this model."""
    return [{"type": "text", "text": text}] if model in IMAGE_MODELS else text


def flags(data: Any) -> list[str]:
    """parseOpenAIModerationResponse: every category a flagged result marks, once each, in the
    order the results list them."""
    results = data.get("results") if isinstance(data, dict) else None
    found: list[str] = []
    for result in results if isinstance(results, list) else []:
        if not isinstance(result, dict) or not result.get("flagged"):
            continue
        categories = result.get("categories")
        for category, hit in (categories if isinstance(categories, dict) else {}).items():
            if hit not in (None, False, 0, "") and category not in found:  # JavaScript's truthy
                found.append(category)
    return found


def verdict(found: list[str], categories: list[Any], inverse: bool) -> Grade:
    """matchesModeration's verdict on the flags, `not-` inverting pass and score."""
    if not found:
        grade = Grade(True, 1.0, "No moderation flags detected")
    else:
        kept = [f for f in found if f in categories] if categories else found
        grade = (
            Grade(False, 0.0, f"Moderation flags detected: {', '.join(kept)}")
            if kept
            else Grade(True, 1.0, "No relevant moderation flags detected")
        )
    if inverse:
        return Grade(not grade.passed, 1.0 - grade.score, grade.reason)
    return grade


def api_failure(detail: str) -> Grade:
    """A failed call: failed and never inverted (promptfoo's graderError)."""
    return Grade(False, 0.0, f"Moderation API error: {detail}")


def reply_failure(url: str, status: int, phrase: str, body: str) -> str | None:
    """What promptfoo's provider makes of a reply that is not a moderation (None: it is one):
    a body JSON.parse refuses (whatever the status), else an error status with the body."""
    try:
        data = jscompat.js_json_parse(body)
    except ValueError as exc:
        message = node.json_parse_message(body, str(exc))
        return (
            f"API call error: Error: Error parsing response from {url}: {message}. "
            f"HTTP {status} {phrase}. Received text: {body}"
        )
    if not 200 <= status < 300:
        text = data if isinstance(data, str) else jscompat.js_stringify(data)
        return f"API error: {status} {phrase}: {text}"
    return None


def check_moderation(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    problem = value_problem(spec.value)
    if problem:  # promptfoo's invariant throws: the case errors
        raise CaseError(problem)
    if not output:  # a pass, inverted by `not-`
        return Grade(inv is False, 0.0 if inv else 1.0, "No output to moderate")
    if ctx.moderator is None:
        raise CaseError(f"Error: No provider of type moderation found for '{CHECK}'")
    try:
        llm, model, ident = ctx.moderator(spec.provider)
    except ConfigError as exc:  # a grader map without a `moderation` entry, as promptfoo words it
        raise CaseError(f"Error: {exc}") from None
    if not ident.startswith("openai:moderation"):
        shown = ctx.grader_id(spec.provider, "moderation") if ctx.grader_id else ident
        raise CaseError(f"Error: Provider {shown} is not a valid moderation provider for '{CHECK}'")
    try:
        status, phrase, body = llm.moderate(model, moderation_input(output, model))
    except Exception as exc:  # no answer at all
        return api_failure(redact(f"API call error: Error: {exc}", llm.settings.api_key))
    failure = reply_failure(f"{llm.base_url().rstrip('/')}/moderations", status, phrase, body)
    if failure:  # the endpoint's own words, which a gateway may fill with what it was sent
        return api_failure(redact(failure, llm.settings.api_key))
    categories = value if isinstance(value, list) else []
    return verdict(flags(jscompat.js_json_parse(body)), categories, inv)
