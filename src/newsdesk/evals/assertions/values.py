"""Values as templates: promptfoo renders string values over the test's vars (Nunjucks) and reads
`file://` data files."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from newsdesk.evals import jscompat, templates
from newsdesk.evals.yamlfile import load_js_yaml


def render_template(text: str, variables: dict[str, Any], env: dict[str, Any] | None = None) -> str:
    """A value over the test's vars, as promptfoo renders it (real nunjucks: evals/templates);
    `env` is the suite's `env` (over the process environment)."""
    return templates.render_string(text, variables, env)


def render_value(
    value: Any, variables: dict[str, Any], base_dir: Path, env: dict[str, Any] | None = None
) -> Any:
    """promptfoo's renderedValue: strings are templates over the vars; `file://` text/JSON/YAML
    files are read (scripts stay references: python/javascript run them)."""
    if isinstance(value, str):
        if value.startswith("file://"):
            return file_ref_value(value, base_dir)
        return render_template(value, variables, env)
    if isinstance(value, list):
        return [
            file_ref_value(v, base_dir)
            if isinstance(v, str) and v.startswith("file://")
            else render_template(v, variables, env)
            if isinstance(v, str)
            else v
            for v in value
        ]
    return value


def file_ref_path(ref: str, base_dir: Path) -> tuple[Path, str | None]:
    raw = ref[len("file://") :]
    fn: str | None = None
    m = re.match(r"^(.*\.(?:py|js|mjs|cjs|ts)):([A-Za-z_$][\w$]*)$", raw)
    if m:
        raw, fn = m.group(1), m.group(2)
    path = Path(raw).expanduser()
    return (path if path.is_absolute() else base_dir / path), fn


def file_ref_value(ref: str, base_dir: Path) -> Any:
    path, _ = file_ref_path(ref, base_dir)
    if path.suffix in (".py", ".js", ".mjs", ".cjs", ".ts"):
        return ref
    return read_data_file(path)


def read_data_file(path: Path) -> Any:
    """A `file://` value or var: JSON and YAML parsed, anything else its text."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".txt":  # promptfoo's processFileReference trims a .txt value
        return jscompat.js_trim(text)
    if path.suffix == ".json":
        return json.loads(text)
    if path.suffix in (".yaml", ".yml"):
        return load_js_yaml(text)
    return text
