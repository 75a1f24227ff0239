"""What `newsdesk doctor` checks. The API key is only ever shown masked."""

from __future__ import annotations

import json
import time
from typing import Any

from pydantic import ConfigDict, Field, computed_field

from newsdesk.config import Settings
from newsdesk.errors import NewsdeskError
from newsdesk.llm.cache import ResponseCache, default_cache_path
from newsdesk.llm.client import LLMClient, redact
from newsdesk.modelfiles import is_assembled
from newsdesk.prompts import render
from newsdesk.schema import Record


def mask_key(key: str | None) -> str:
    if not key:
        return "(none)"
    return f"set ({len(key)} chars, ends …{key[-2:]})" if len(key) > 12 else "set"


class Report(Record):
    endpoint: str
    model: str
    api_key: str
    reachable: bool = False
    structured_output: bool | None = None
    latency_s: float | None = None
    error: str | None = None
    cache: dict[str, Any] = Field(default_factory=dict)
    embedded: dict[str, Any] | None = None  # the embedded model served (None: a remote endpoint)

    model_config = ConfigDict(protected_namespaces=())

    def _ok(self) -> bool:
        return self.reachable and self.error is None

    ok = computed_field(property(_ok))  # printed with --json

    def rows(self) -> list[tuple[str, str]]:
        yes = {True: "yes", False: "no", None: "unknown"}
        rows = [
            ("endpoint", self.endpoint),
            ("model", self.model),
            ("embedded model", embedded_label(self.embedded)),
            ("api key", self.api_key),
            (
                "reachable",
                yes[self.reachable] + (f" ({self.latency_s:.2f} s)" if self.latency_s else ""),
            ),
            ("structured output", yes[self.structured_output]),
            (
                "cache",
                f"{self.cache.get('path')} ({self.cache.get('entries', 0)} entries, "
                f"{self.cache.get('bytes', 0) / 1e6:.1f} MB)",
            ),
        ]
        if self.error:
            rows.append(("problem", self.error))
        return rows


def embedded_info(settings: Settings) -> dict[str, Any] | None:
    """Which embedded model is served (by name, or a --gguf file) and whether it is assembled."""
    if not settings.embedded:
        return None
    if settings.gguf:
        return {"name": None, "gguf": settings.gguf, "default": False, "assembled": None}

    spec = settings.embedded_spec
    if spec is None:  # pragma: no cover - embedded and no gguf always has a spec
        return None
    folder = settings.embedded_model_dir
    return {
        "name": spec.name,
        "gguf": None,
        "default": spec.default,
        "file": str(folder / spec.filename),
        "assembled": is_assembled(spec, folder),
    }


def embedded_label(info: dict[str, Any] | None) -> str:
    if info is None:
        return "not used (an endpoint is configured)"
    if info["gguf"]:
        return f"--gguf {info['gguf']} (its own chat template)"
    default = ", the default" if info["default"] else ""
    state = "assembled" if info["assembled"] else "not assembled yet (the first request does it)"
    return f"{info['name']}{default}: {state}, {info['file']}"


def diagnose(settings: Settings) -> Report:

    report = Report(
        endpoint=settings.endpoint_label,
        model=settings.model_name,
        api_key=mask_key(settings.api_key),
    )
    cache = ResponseCache(default_cache_path(settings.cache_dir))
    try:
        report.cache = cache.stats()
    finally:
        cache.close()
    client = LLMClient(settings.with_overrides(use_cache=False, max_retries=1))
    schema = {
        "type": "object",
        "properties": {"ok": {"type": "boolean"}},
        "required": ["ok"],
        "additionalProperties": False,
    }
    start = time.perf_counter()
    try:
        reply = client.chat(
            [{"role": "user", "content": render("doctor.j2")}],
            max_tokens=16,
            schema=schema,
            use_cache=False,
        )
        report.reachable = True
        report.latency_s = round(time.perf_counter() - start, 3)

        try:
            report.structured_output = isinstance(json.loads(reply.content).get("ok"), bool)
        except (ValueError, AttributeError):
            report.structured_output = False
        if not client.json_schema_supported:
            report.structured_output = False
    except NewsdeskError as exc:
        report.error = redact(str(exc), settings.api_key)
        report.reachable = "unreachable" not in str(exc) and "timed out" not in str(exc)
    report.embedded = embedded_info(settings)  # after the check, which may have assembled it
    return report
