"""Values as templates: promptfoo renders string values over the test's vars (Nunjucks, read
here by Jinja2) and reads `file://` data files."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from newsdesk.evals import jscompat

_env: Any = None


def template_env() -> Any:
    """Jinja2 reading Nunjucks' common syntax, as promptfoo renders values and prompts: an
    undefined var (or an attribute of one) renders empty, values print as JavaScript's String()
    prints them (true, 5, a,b), trailing newlines are kept, `dump` is JSON, `load` parses JSON,
    `env` is the environment."""
    global _env
    if _env is None:
        import os

        import jinja2

        def finalize(value: Any) -> Any:
            if value is None or isinstance(value, jinja2.Undefined):
                return ""
            return value if isinstance(value, str) else jscompat.js_str(value)

        env = jinja2.Environment(
            keep_trailing_newline=True,
            autoescape=False,
            undefined=jinja2.ChainableUndefined,
            finalize=finalize,
        )
        env.filters["dump"] = lambda v, indent=None: (
            jscompat.js_stringify(v)
            if indent is None
            else json.dumps(v, indent=indent, ensure_ascii=False)
        )
        env.filters["json"] = env.filters["dump"]
        env.filters["load"] = json.loads  # promptfoo's own filter: JSON text -> value
        env.globals["env"] = dict(os.environ)
        _env = env
    return _env


def render_template(text: str, variables: dict[str, Any]) -> str:
    if "{" not in text:
        return text
    return str(template_env().from_string(text).render(**variables))


def render_value(value: Any, variables: dict[str, Any], base_dir: Path) -> Any:
    """promptfoo's renderedValue: strings are templates over the vars; `file://` text/JSON/YAML
    files are read (scripts stay references: python/javascript run them)."""
    if isinstance(value, str):
        if value.startswith("file://"):
            return _file_value(value, base_dir)
        return render_template(value, variables)
    if isinstance(value, list):
        return [
            _file_value(v, base_dir)
            if isinstance(v, str) and v.startswith("file://")
            else render_template(v, variables)
            if isinstance(v, str)
            else v
            for v in value
        ]
    return value


def _file_path(ref: str, base_dir: Path) -> tuple[Path, str | None]:
    raw = ref[len("file://") :]
    fn: str | None = None
    m = re.match(r"^(.*\.(?:py|js|mjs|cjs|ts)):([A-Za-z_$][\w$]*)$", raw)
    if m:
        raw, fn = m.group(1), m.group(2)
    path = Path(raw).expanduser()
    return (path if path.is_absolute() else base_dir / path), fn


def _file_value(ref: str, base_dir: Path) -> Any:
    path, _ = _file_path(ref, base_dir)
    if path.suffix in (".py", ".js", ".mjs", ".cjs", ".ts"):
        return ref
    return read_data_file(path)


def read_data_file(path: Path) -> Any:
    """A `file://` value or var: JSON and YAML parsed, anything else its text."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    if path.suffix in (".yaml", ".yml"):
        from newsdesk.evals.yamlfile import load_js_yaml

        return load_js_yaml(text)
    return text
