"""promptfoo's transforms: a JavaScript expression or body, a `file://` .js or .py function, or
newsdesk's own `python: EXPRESSION`, run over an output (or vars) with a context; checked when the
suite loads (validate_transform)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from newsdesk.evals import node
from newsdesk.evals.assertions.core import EvalContext
from newsdesk.evals.assertions.scripts import json_roundtrip, run_python_file
from newsdesk.evals.assertions.values import file_ref_path

NO_VALUE = "Transform function did not return a value"


def is_js_transform(code: str) -> bool:
    """promptfoo's transforms are JavaScript, except `file://*.py`; newsdesk also reads
    `python: EXPRESSION` (its own extension, never promptfoo's)."""
    if code.startswith("python:"):
        return False
    if code.startswith("file://"):
        return not code[len("file://") :].split(":")[0].endswith(".py")
    return True


def validate_transform(code: str, base_dir: Path) -> str | None:
    if code.startswith("python:"):
        try:
            compile(code[len("python:") :].strip(), "<transform>", "eval")
        except SyntaxError as exc:
            return f"invalid Python transform expression: {exc.msg}"
        return None
    if code.startswith("file://"):
        path, _ = file_ref_path(code, base_dir)
        if not path.is_file():
            return f"transform {path}: no such file"
    return None


def apply_transform(
    code: str,
    output: Any,
    ctx: EvalContext,
    kind: str = "output",
    context: dict[str, Any] | None = None,
) -> Any:
    """promptfoo's transform(): inline JavaScript (an expression, or a body when it has several
    lines), `file://x.js[:fn]`, `file://x.py[:fn]` (default get_transform), or newsdesk's
    `python: EXPRESSION`, given `context` (by default the case's). Returns the transformed value
    (not necessarily text)."""
    context = context if context is not None else ctx.transform_context()
    if code.startswith("python:"):
        expression = code[len("python:") :].strip()
        value = eval(
            expression,
            {"json": json, "re": re},
            {"output": output, "vars": ctx.vars, "context": {**ctx.as_dict(), **context}},
        )
    elif code.startswith("file://") and code[len("file://") :].split(":")[0].endswith(".py"):
        path, fn = file_ref_path(code, ctx.base_dir)
        value = run_python_file(
            path, fn or "get_transform", [json_roundtrip(output), json_roundtrip(context)]
        )
    else:
        if code.startswith("file://"):
            path, fn = file_ref_path(code, ctx.base_dir)
            value, undefined = node.worker().call(kind, output, context, file=str(path), fn=fn)
        else:
            value, undefined = node.worker().call(kind, output, context, code=code)
        if undefined:
            value = None
    if value is None:
        raise ValueError(NO_VALUE)
    return value
