"""Pydantic models as the one description of a shape: what the model must return, and what
newsdesk prints with --json.

`Record` is the base of every result and its parts: `to_dict()` is the --json output and
`json_schema()` its JSON Schema, both from the fields (aliases give the printed names), so no
hand-written `to_dict` or schema sits beside a type.

`output_schema` gives the JSON schema sent to the model, from the pydantic model its answer
parses into.

One pydantic model per output: its fields (names, order, types, `Field(min_length=...,
max_length=...)`, `Literal` enums) give the schema, so no hand-written schema sits beside it.
What only the prompt knows is filled in per call:

- `ids`: every field typed `SentenceIds` may hold only these sentence ids (the ones shown);
- `limits`: extra keywords by dotted field path (`"parties.name": {"enum": names}`); a path
  descends into a list's items by the list's own name; a keyword set to None is removed.

The result is what llama.cpp's grammar and OpenAI's strict mode both take: every object closed
(`additionalProperties: false`) with every property required, no `$ref`, no titles or defaults.
Field order is kept, because it is the order in which the model writes.
"""

from __future__ import annotations

import copy
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

# A list of sentence ids: `output_schema` limits its items to the ids shown to the model.
SentenceIds = Annotated[list[str], Field(default_factory=list, json_schema_extra={"x-ids": True})]

_DROP = ("title", "default", "description")


class Record(BaseModel):
    """A result type or a part of one."""

    # Every field is printed, defaults included, so the JSON Schema requires them all.
    model_config = ConfigDict(
        populate_by_name=True,
        arbitrary_types_allowed=True,
        json_schema_serialization_defaults_required=True,
    )

    def to_dict(self) -> dict[str, Any]:
        """The --json shape (printed names, JSON types)."""
        return self.model_dump(mode="json", by_alias=True)

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The JSON Schema of `to_dict()`'s output."""
        schema: dict[str, Any] = cls.model_json_schema(by_alias=True, mode="serialization")
        return schema


def output_schema(
    model: type[BaseModel],
    ids: list[str] | None = None,
    limits: dict[str, dict[str, Any] | None] | None = None,
) -> dict[str, Any]:
    raw = model.model_json_schema()
    defs = raw.pop("$defs", {})
    schema: dict[str, Any] = _clean(raw, defs, ids)
    for path, keywords in (limits or {}).items():
        node = _at(schema, path)
        if keywords is None:  # drop the field itself
            _drop_field(schema, path)
            continue
        for key, value in keywords.items():
            if value is None:
                node.pop(key, None)
            else:
                node[key] = value
    return schema


def _clean(node: Any, defs: dict[str, Any], ids: list[str] | None) -> Any:
    if isinstance(node, list):
        return [_clean(n, defs, ids) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = defs[node["$ref"].rsplit("/", 1)[-1]]
        return _clean(copy.deepcopy(target), defs, ids)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROP or key == "x-ids":
            continue
        if key == "properties":
            out[key] = {name: _clean(prop, defs, ids) for name, prop in value.items()}
        elif key in ("items", "anyOf"):
            out[key] = _clean(value, defs, ids)
        else:
            out[key] = value
    if node.get("x-ids") and ids is not None:
        out["items"] = {"type": "string", "enum": list(ids)}
    if out.get("type") == "object" and "properties" in out:
        out["required"] = list(out["properties"])
        out["additionalProperties"] = False
    return out


def _at(schema: dict[str, Any], path: str) -> dict[str, Any]:
    node = schema
    for name in path.split("."):
        if node.get("type") == "array":
            node = node["items"]
        node = node["properties"][name]
    return node


def _drop_field(schema: dict[str, Any], path: str) -> None:
    parent_path, _, name = path.rpartition(".")
    parent = _at(schema, parent_path) if parent_path else schema
    if parent.get("type") == "array":
        parent = parent["items"]
    del parent["properties"][name]
    parent["required"] = [r for r in parent["required"] if r != name]
