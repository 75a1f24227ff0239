"""Script checks: `python` and `javascript` assertions, and promptfoo's reading of what a script
returns (a boolean, a number or a {pass, score, reason} object)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsdesk.evals import jscompat, node
from newsdesk.evals.assertions.core import PASSED, EvalContext, Grade
from newsdesk.evals.assertions.values import file_ref_path

if TYPE_CHECKING:
    from newsdesk.evals.spec import AssertionSpec


def script_grade(value: Any, spec: AssertionSpec, inv: bool, language: str) -> Grade:
    """promptfoo's normalizeScriptResult: a boolean, a number (the score; passes when > 0, or
    >= threshold), or a {pass, score, reason} object (threshold applied to its score)."""
    if isinstance(value, str):
        low = value.lower()
        if low in ("true", "false"):
            value = low == "true"
        elif value.startswith("{"):
            value = json.loads(value)
    if isinstance(value, bool):
        passed = value != inv
        return Grade(
            passed,
            1.0 if passed else 0.0,
            PASSED if passed else f"{language} code returned {str(value).lower()}",
        )
    if isinstance(value, dict):
        result = dict(value)
        if "pass_" in result and "pass" not in result:
            result["pass"] = result["pass_"]
        if "named_scores" in result and "namedScores" not in result:
            result["namedScores"] = result["named_scores"]
        ok = (
            isinstance(result.get("pass"), bool)
            and isinstance(result.get("score"), int | float)
            and not isinstance(result.get("score"), bool)
            and isinstance(result.get("reason"), str)
        )
        if not ok:
            raise ValueError(
                f"{language} assertion must return a boolean, number, or "
                "{pass, score, reason} object"
            )
        raw_pass, score, reason = bool(result["pass"]), float(result["score"]), result["reason"]
        if spec.threshold is not None and score < spec.threshold:
            raw_pass = False
            msg = (
                f"{language} score {jscompat.js_str(score)} is less than threshold "
                f"{spec.threshold:g}"
            )
            reason = f"{msg}: {reason}" if reason else msg
        passed = raw_pass != inv
        if passed != raw_pass:
            reason = PASSED if passed else f"{language} code returned {str(raw_pass).lower()}"
        named = result.get("namedScores") if isinstance(result.get("namedScores"), dict) else {}
        return Grade(passed, score, reason, named_scores=dict(named or {}))
    if value is None or isinstance(value, list):
        raise ValueError(
            f"{language} assertion must return a boolean, number, or {{pass, score, reason}} object"
        )
    try:
        score = float(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"{language} assertion must return a boolean, number, or {{pass, score, reason}} "
            f"object. Instead got: {value!r}"
        ) from None
    if math.isnan(score):
        raise ValueError(f"{language} assertion returned NaN")
    raw = score > 0 if spec.threshold is None else score >= spec.threshold
    passed = raw != inv
    return Grade(
        passed, score, PASSED if passed else f"{language} code returned {str(raw).lower()}"
    )


def _python_source(code: str) -> str:
    """promptfoo's buildPythonScript: one line is `return <expression>`; several lines are the
    body of `main(output, context)`, indented with the code's own indent."""
    if "\n" in code:
        m = re.search(r"^(?!\s*$)\s+", code, re.MULTILINE)
        indent = m.group(0) if m else "    "
        body = "\n".join(indent + line for line in code.split("\n"))
    else:
        body = f"    return {code}"
    return f"import json\n\ndef main(output, context):\n{body}\n"


def json_roundtrip(value: Any) -> Any:
    """What a script sees: plain JSON (promptfoo passes output and context through JSON)."""
    return json.loads(json.dumps(value, default=str))


def run_python_file(path: Path, fn: str, args: list[Any]) -> Any:
    namespace: dict[str, Any] = {"__file__": str(path), "__name__": "__promptfoo__"}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    func = namespace.get(fn)
    if not callable(func):
        raise ValueError(f"{path} defines no {fn}()")
    return func(*args)


def check_python(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    context = json_roundtrip(ctx.as_dict())
    raw = json_roundtrip(ctx.raw(output))
    code = str(value)
    try:
        if code.startswith("file://"):
            path, fn = file_ref_path(code, ctx.base_dir)
            result = run_python_file(path, fn or "get_assert", [raw, context])
        else:
            namespace: dict[str, Any] = {"re": re}
            exec(_python_source(code), namespace)
            result = namespace["main"](raw, context)
        result = json_roundtrip(result)
    except Exception as exc:
        return Grade(False, 0.0, f"Python code execution failed: {type(exc).__name__}: {exc}")
    try:
        return script_grade(result, spec, inv, "Python")
    except ValueError as exc:
        return Grade(False, 0.0, f"Python code execution failed: {exc}")


def check_javascript(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    raw = ctx.raw(output)
    code = str(value)
    try:
        if code.startswith("file://"):
            path, fn = file_ref_path(code, ctx.base_dir)
            result, undefined = node.worker().call(
                "assert", raw, ctx.as_dict(), file=str(path), fn=fn
            )
        else:
            result, undefined = node.worker().call("assert", raw, ctx.as_dict(), code=code)
    except node.JSError as exc:
        return Grade(False, 0.0, f"Custom function threw error: {exc}")
    if undefined or not (isinstance(result, bool | int | float | dict)):
        got = "undefined" if undefined else type(result).__name__
        return Grade(
            False,
            0.0,
            "Custom function threw error: must return a boolean, number, or GradingResult "
            f"object. Got {got}",
        )
    try:
        if isinstance(result, dict):
            ok = (
                isinstance(result.get("pass"), bool)
                and isinstance(result.get("score"), int | float)
                and isinstance(result.get("reason"), str)
            )
            if not ok:
                raise ValueError("must return a boolean, number, or GradingResult object")
            passed = result["pass"] != inv
            reason = (
                result["reason"]
                if passed == result["pass"]
                else (
                    PASSED if passed else f"Custom function returned {str(result['pass']).lower()}"
                )
            )
            named = result.get("namedScores") if isinstance(result.get("namedScores"), dict) else {}
            return Grade(passed, float(result["score"]), reason, named_scores=dict(named or {}))
        return script_grade(result, spec, inv, "Custom function")
    except ValueError as exc:
        return Grade(False, 0.0, f"Custom function threw error: {exc}")
