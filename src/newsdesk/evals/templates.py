"""Nunjucks templates (prompts, assertion values, metric names) rendered as promptfoo renders them.

With node, the real nunjucks renders them (js_render.mjs in the eval's node worker: promptfoo's own
rendering steps over nunjucks 3.2.4, vendored). Without node, a template made only of plain
substitutions (`{{ name }}`, `{{ name.field }}`) renders here, identically; any other construct is
refused, naming it and saying to install node: this path never guesses at Nunjucks semantics.
"""

from __future__ import annotations

import json
import re
from typing import Any

from newsdesk.evals import jscompat, node

# what the pure-Python path renders: `{{ a }}`, `{{ a.b.c }}`
_PLAIN = re.compile(r"\{\{\s*([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s*\}\}")
_CONSTRUCT = re.compile(r"\{\{.*?(?:\}\}|$)|\{%.*?(?:%\}|$)|\{#.*?(?:#\}|$)", re.DOTALL)
# promptfoo's resolveVariables: `{{ name }}` in a var replaced by that var, up to 5 rounds
_VAR_REF = re.compile(r"\{\{\s*(\w+)\s*\}\}")


class TemplateError(Exception):
    """A template nunjucks could not render, or one that needs node where there is none."""


def unsupported_construct(text: str) -> str | None:
    """The first construct the pure-Python path does not render, or None."""
    for m in _CONSTRUCT.finditer(text):
        if _PLAIN.fullmatch(m.group(0)) is None:
            return m.group(0)[:60]
    return None


def _node() -> Any:
    """The eval's node worker, or None without node."""
    return node.worker() if node.node_version() is not None else None


def _call(
    kind: str,
    template: str,
    variables: dict[str, Any],
    env: dict[str, Any],
    filters: dict[str, str] | None = None,
) -> Any:
    try:
        context = {"env": env, "filters": filters or {}}
        value, _ = _node().call(kind, variables, context, code=template)
    except node.JSError as exc:
        raise TemplateError(" ".join(str(exc).split())) from None  # nunjucks spans lines
    return value


def _refuse(text: str) -> None:
    construct = unsupported_construct(text)
    if construct is not None:
        raise TemplateError(
            f"{construct!r} needs Nunjucks (install node >= 18, or set NEWSDESK_NODE)"
        )


def _lookup(variables: dict[str, Any], path: str) -> str:
    value: Any = variables
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            return ""  # nunjucks prints undefined and null as nothing
    return jscompat.js_str(value)


def _render_plain(text: str, variables: dict[str, Any]) -> str:
    _refuse(text)
    return _PLAIN.sub(lambda m: _lookup(variables, m.group(1)), text)


def render_string(text: str, variables: dict[str, Any], env: dict[str, Any] | None = None) -> str:
    """`nunjucks.renderString(text, vars)` with promptfoo's engine (`env`, `load`)."""
    if "{" not in text:
        return text
    if _node() is None:
        return _render_plain(text, variables)
    return str(_call("render", text, variables, env or {}))


def render_prompt(
    raw: str,
    variables: dict[str, Any],
    env: dict[str, Any] | None = None,
    filters: dict[str, str] | None = None,
) -> tuple[str, dict[str, Any]]:
    """promptfoo's renderPrompt: (the prompt as sent, the vars its assertions then see);
    `filters` are the suite's nunjucksFilters (name -> JavaScript file), which need node."""
    if _node() is not None:
        out = _call("render_prompt", raw, variables, env or {}, filters)
        return str(out["prompt"]), dict(out["vars"])
    return _render_prompt_plain(raw, variables)


def _render_prompt_plain(raw: str, variables: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The same steps as js_render.mjs's renderPrompt, for plain substitutions only."""
    out = {k: v.removesuffix("\n") if isinstance(v, str) else v for k, v in variables.items()}
    for _ in range(5):
        changed = False
        for key, value in out.items():
            if not isinstance(value, str):
                continue
            m = _VAR_REF.search(value)
            if m and m.group(1) in out:
                out[key] = value.replace(m.group(0), jscompat.js_str(out[m.group(1)]), 1)
                changed = True
        if not changed:
            break
    try:
        parsed = jscompat.js_json_parse(raw)
    except ValueError:
        rendered = {
            k: _render_plain(v, out) if isinstance(v, str) and not _undefined_refs(v, out) else v
            for k, v in out.items()
        }
        return _render_plain(raw, rendered), out
    filled = _render_json(parsed, out)
    return json.dumps(jscompat.js_numbers(filled), indent=2, ensure_ascii=False), out


def _undefined_refs(text: str, variables: dict[str, Any]) -> bool:
    return any(m.group(1).split(".")[0] not in variables for m in _PLAIN.finditer(text))


def _render_json(value: Any, variables: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return _render_plain(value, variables)
    if isinstance(value, list):
        return [_render_json(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: _render_json(v, variables) for k, v in value.items()}
    return value


def render_grading_prompt(template: str, context: dict[str, Any]) -> str:
    """promptfoo's renderLlmRubricPrompt: objects in the context as JSON text; a JSON prompt
    (a chat) rendered string by string, else the whole text."""
    processed = {
        k: [jscompat.js_stringify(i) if isinstance(i, dict | list) else i for i in v]
        if isinstance(v, list)
        else jscompat.js_stringify(v)
        if isinstance(v, dict)
        else v
        for k, v in context.items()
    }
    if _node() is not None:
        return str(_call("render_grading", template, processed, {}))
    try:
        parsed = jscompat.js_json_parse(template)
    except ValueError:
        return _render_plain(template, processed)
    return jscompat.js_stringify(_render_json(parsed, processed))
