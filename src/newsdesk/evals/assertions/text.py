"""Text checks: equals, contains (and -any/-all, case-folded), starts-with, regex, levenshtein,
is-json and contains-json, with promptfoo's reasons."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from newsdesk.evals import jscompat, node
from newsdesk.evals.assertions.core import (
    PASSED,
    Check,
    EvalContext,
    Grade,
    as_items,
    as_text,
    binary_grade,
    not_if,
    shorten,
)
from newsdesk.evals.assertions.in_promptfoo import check_in_promptfoo
from newsdesk.evals.yamlfile import load_js_yaml

if TYPE_CHECKING:
    from newsdesk.evals.spec import AssertionSpec

DEFAULT_LEVENSHTEIN = 5.0  # promptfoo's default: the largest distance `levenshtein` accepts


def check_equals(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    if isinstance(value, dict | list):
        try:
            same = jscompat.strict_equal(value, jscompat.js_json_parse(output))
        except ValueError:
            same = False
        shown = json.dumps(value, ensure_ascii=False)
    else:
        shown = jscompat.js_str(value)
        same = shown == output
    return binary_grade(
        same, inv, f'Expected output "{shorten(output)}" to {not_if(inv)}equal "{shown}"'
    )


def _contains_value(spec: AssertionSpec, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float) or value == "":
        raise ValueError(f'"{spec.type}" assertion type must have a string or number value')
    return jscompat.js_str(value)


def check_contains(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    needle = _contains_value(spec, value)
    return binary_grade(
        needle in output, inv, f'Expected output to {not_if(inv)}contain "{needle}"'
    )


def check_icontains(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    needle = _contains_value(spec, value)
    found = needle.lower() in output.lower()  # JavaScript's toLowerCase, not casefold
    return binary_grade(found, inv, f'Expected output to {not_if(inv)}contain "{needle}"')


def contains_many(fold: bool, need_all: bool) -> Check:
    def check(output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool) -> Grade:
        items = as_items(value)
        hay = output.lower() if fold else output
        missing = [i for i in items if (i.lower() if fold else i) not in hay]
        if need_all:
            ok = not missing
            why = f"contain all of [{', '.join(items)}]. Missing: [{', '.join(missing)}]"
        else:
            ok = len(missing) < len(items)
            why = f'contain one of "{", ".join(items)}"'
        return binary_grade(ok, inv, f"Expected output to {not_if(inv)}{why}")

    return check


def check_starts_with(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    prefix = as_text(value)
    return binary_grade(
        output.startswith(prefix), inv, f'Expected output to {not_if(inv)}start with "{prefix}"'
    )


def check_regex_translated(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    pattern = as_text(value)
    try:
        rx = jscompat.js_regex(pattern)
    except ValueError as exc:
        return Grade(False, 0.0, f"Invalid regex pattern: {exc}")
    ok = rx.search(output) is not None
    return binary_grade(ok, inv, f'Expected output to {not_if(inv)}match regex "{pattern}"')


def check_levenshtein(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    if not isinstance(value, str):
        raise ValueError('"levenshtein" assertion type must have a string value')
    dist = jscompat.levenshtein(output, value)
    limit = spec.threshold if spec.threshold is not None else DEFAULT_LEVENSHTEIN
    rel = "less than or equal to" if inv else "greater than"
    return binary_grade(
        dist <= limit, inv, f"Levenshtein distance {dist} is {rel} threshold {limit:g}"
    )


def schema_from_value(value: Any, ctx: EvalContext) -> dict[str, Any] | None:
    """The rendered value as a schema: an object, or YAML/JSON text (a file was read already)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = load_js_yaml(value)
    if not isinstance(value, dict):
        raise ValueError("is-json assertion must have a string or object value")
    return value


def _schema_errors(validator: Any, data: Any) -> str:
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    if not errors:
        return ""
    first = errors[0]
    where = "/".join(str(p) for p in first.path)
    return f"data{'/' + where if where else ''} {first.message}"


def promptfoo_checks_schema(value: Any) -> bool:
    """A schema is checked by promptfoo itself (its Ajv, strict mode, and Ajv's wording of the
    errors) where node and promptfoo 0.123.1 are found; elsewhere by Python's jsonschema with
    Ajv's formats: the same verdicts on promptfoo's own cases, the errors worded by jsonschema."""
    return value not in (None, "") and node.promptfoo_missing() is None


def check_is_json(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    if promptfoo_checks_schema(value):
        return check_in_promptfoo(output, value, spec, ctx, inv)
    try:
        data = jscompat.js_json_parse(output)
    except ValueError:
        return binary_grade(False, inv, f"Expected output to {not_if(inv)}be valid JSON")
    schema = schema_from_value(value, ctx)
    if schema is None:
        return binary_grade(True, inv, f"Expected output to {not_if(inv)}be valid JSON")
    errors = _schema_errors(jscompat.schema_validator(schema, unicode_pattern_test), data)
    ok = not errors
    if ok == inv:
        why = (
            "Output is JSON that conforms to the provided schema"
            if inv
            else f"JSON does not conform to the provided schema. Errors: {errors}"
        )
        return Grade(False, 0.0, why)
    return Grade(True, 1.0, PASSED)


def check_contains_json(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    if promptfoo_checks_schema(value):
        return check_in_promptfoo(output, value, spec, ctx, inv)
    found = jscompat.extract_json_objects(output)
    passed = (not found) if inv else bool(found)
    reason = f"Expected output to {not_if(inv)}contain valid JSON"
    schema = schema_from_value(value, ctx)
    if schema is not None:
        validator = jscompat.schema_validator(schema, unicode_pattern_test)
        for obj in found:
            errors = _schema_errors(validator, obj)
            valid = not errors
            passed = (not valid) if inv else valid
            if valid:
                if inv:
                    reason = "Output contains JSON conforming to the provided schema"
                break
            reason = f"JSON does not conform to the provided schema. Errors: {errors}"
    return Grade(passed, 1.0 if passed else 0.0, PASSED if passed else reason)


def unicode_pattern_test(pattern: str, text: str) -> bool:
    """A JSON schema `pattern` as Ajv reads it: `new RegExp(pattern, "u")`, run by node's RegExp
    where there is node (`\\p{Lu}` and all), else translated (refusing what cannot be)."""
    if node.node_version() is None:
        return jscompat.js_regex(pattern, "u").search(text) is not None
    try:
        arg = {"pattern": pattern, "flags": "u", "text": text}
        found, _ = node.worker().call("regex_test", arg, {})
    except node.JSError as exc:
        raise ValueError(str(exc)) from None
    return bool(found)
