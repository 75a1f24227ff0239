"""Suite YAML, read as promptfoo reads it: js-yaml's scalars (YAML 1.2: `yes` is text, `1e3` a
number), and with line numbers, so every error in a suite names its line.

Its own module because both the suite parser (evals.suite) and the graders (evals.assertions,
evals.jscompat) read YAML, and neither should import the other for it.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from newsdesk.errors import InputError


class SuiteError(InputError):
    """A suite that cannot run: bad YAML, unknown key or assertion type, missing file (exit 2)."""


# ---------------------------------------------------------------- line-aware YAML


class LineMap(dict[str, Any]):
    """A YAML mapping that remembers its own line and each key's line (1-based)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    line: int = 0


_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"


class _JSYamlLoader(yaml.SafeLoader):
    """YAML 1.2's core schema, as js-yaml (promptfoo's reader) resolves plain scalars: only
    true/false are booleans (`yes`, `on`, `n` stay text), no sexagesimal or 0-prefixed octal
    ints, `1e3` is a float."""


_JSYamlLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _INT, _FLOAT)]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# dates stay text (js-yaml would make a Date; text is what a prompt or a JSON report shows)
_JSYamlLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in _JSYamlLoader.yaml_implicit_resolvers.items()
}
_JSYamlLoader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_JSYamlLoader.add_implicit_resolver(
    _INT,
    re.compile(r"^(?:[-+]?[0-9][0-9_]*|0o[0-7_]+|0x[0-9a-fA-F_]+|0b[01_]+)$"),
    list("-+0123456789"),
)
_JSYamlLoader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _construct_bool(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> bool:
    return str(loader.construct_scalar(node)).lower() == "true"


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node)).replace("_", "")
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-")
    for prefix, base in (("0o", 8), ("0x", 16), ("0b", 2)):
        if text.startswith(prefix):
            return sign * int(text[2:], base)
    return sign * int(text)


def _construct_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> float:
    text = str(loader.construct_scalar(node)).replace("_", "").lower()
    if text.endswith("nan"):
        return float("nan")
    if text.endswith("inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    value = float(text)
    return value


for _tag, _fn in ((_BOOL, _construct_bool), (_INT, _construct_int), (_FLOAT, _construct_float)):
    _JSYamlLoader.add_constructor(_tag, _fn)


def load_js_yaml(text: str) -> Any:
    """YAML (or JSON) text as promptfoo's js-yaml reads it."""
    return yaml.load(text, Loader=_JSYamlLoader)


class _Loader(_JSYamlLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineMap:
    loader.flatten_mapping(node)
    out = LineMap()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            raise yaml.MarkedYAMLError(
                problem=f"keys must be text, got {key!r}", problem_mark=key_node.start_mark
            )
        if key in out:
            raise yaml.MarkedYAMLError(
                problem=f"duplicate key {key!r} (first on line {out.key_lines[key]})",
                problem_mark=key_node.start_mark,
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = line
    return out


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(text: str, label: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f"{mark.line + 1}:" if mark is not None else ""
        raise SuiteError(f"{label}:{line} invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise SuiteError(f"{label}: invalid YAML: {exc}") from None
