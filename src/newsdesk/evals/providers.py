"""Suite providers -> LLMClients, written the promptfoo way.

`openai:chat:MODEL` (or `openai:MODEL`) is a model on an OpenAI-compatible endpoint:
config.apiBaseUrl (or base_url), else OPENAI_BASE_URL; the key from config.apiKey, the variable
config.apiKeyEnvar (or api_key_env) names, else OPENAI_API_KEY. `embedded` / `embedded:MODEL`
is a built-in model; `echo` answers with the prompt itself. All clients share one response
cache (the CLI's)."""

from __future__ import annotations

import json
import math
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from newsdesk.config import Settings, load_settings
from newsdesk.errors import ConfigError
from newsdesk.evals.suite import ProviderSpec, Suite, model_from_id, provider_id_problem
from newsdesk.evals.yamlfile import LineMap
from newsdesk.llm.cache import ResponseCache, default_cache_path
from newsdesk.llm.client import LLMClient
from newsdesk.llm.usage import UsageLog


def provider_from_ref(ref: Any) -> ProviderSpec:
    """A grader named inline (`embedded`, `openai:gpt-4o-mini`, or {id, config})."""
    if isinstance(ref, str):
        spec = ProviderSpec(ref, ref, model_from_id(ref))
    elif isinstance(ref, dict | LineMap):
        ident = str(ref.get("id") or f"openai:{ref.get('model')}")
        spec = ProviderSpec(
            ident,
            str(ref.get("label") or ident),
            ref.get("model") or model_from_id(ident),
            dict(ref.get("config") or {}),
        )
    else:
        raise ConfigError(f"cannot use {ref!r} as a provider")
    # the suite parser's check: 'anthropic:...' or a mistyped label is refused here, not sent
    # to an OpenAI-compatible endpoint as a model of that name
    problem = provider_id_problem(spec.id)
    if problem:
        raise ConfigError(f"grader {problem}")
    return spec


# promptfoo's openai chat provider: (config key, its environment variable, its default). Sent
# when the config has the key (even null) or the variable is set (the suite's `env` first, as
# its getEnvString reads it): the config's value unless null, else the variable's, else default.
_SAMPLING = (
    ("top_p", "OPENAI_TOP_P", 1.0),
    ("presence_penalty", "OPENAI_PRESENCE_PENALTY", 0.0),
    ("frequency_penalty", "OPENAI_FREQUENCY_PENALTY", 0.0),
)


def request_fields(cfg: dict[str, Any], env: dict[str, Any]) -> dict[str, Any]:
    """The request fields promptfoo's openai chat provider adds from a provider's config beyond
    the model, messages, max_tokens, temperature, seed and response_format: top_p and the
    penalties, `functions`, `function_call`, `tools` (a non-empty list), `tool_choice` (each
    when JavaScript finds it truthy), `stop` (likewise), then `passthrough` (any fields, sent
    last, so they win)."""
    fields: dict[str, Any] = {}
    for key, var, default in _SAMPLING:
        raw = env.get(var, os.environ.get(var))
        if key not in cfg and raw in (None, ""):
            continue
        fields[key] = cfg[key] if cfg.get(key) is not None else _env_float(raw, default)
    for key in ("functions", "function_call", "tools", "tool_choice", "stop"):
        value = cfg.get(key)
        truthy = value is not None and value is not False and value != "" and value != 0
        if truthy and (key != "tools" or (isinstance(value, list) and value)):
            fields[key] = value
    fields.update(cfg.get("passthrough") or {})
    return fields


def _ordered(value: dict[str, Any], first: tuple[str, ...]) -> dict[str, Any]:
    return {**{k: value[k] for k in first if k in value}, **value}


def wire_order(message: dict[str, Any]) -> dict[str, Any]:
    """A message's keys in the order OpenAI sends them (role, content, tool_calls: id, type,
    function: name, arguments), not the typed model's: promptfoo writes the message it got as
    JSON text in its reasons, so the order shows."""
    out = _ordered(message, ("role", "content", "tool_calls", "function_call"))
    if isinstance(out.get("function_call"), dict):
        out["function_call"] = _ordered(out["function_call"], ("name", "arguments"))
    if isinstance(out.get("tool_calls"), list):
        out["tool_calls"] = [
            {
                **_ordered(c, ("id", "type", "function")),
                "function": _ordered(c["function"], ("name", "arguments")),
            }
            if isinstance(c, dict) and isinstance(c.get("function"), dict)
            else c
            for c in out["tool_calls"]
        ]
    return out


def openai_output(message: dict[str, Any]) -> Any:
    """What promptfoo's openai chat provider makes its output of a message that calls tools or a
    function: with text as well, the whole message (its text alone when `tool_calls` is empty);
    without, the function call, else the tool calls. Keys in OpenAI's order (`wire_order`)."""
    message = wire_order(message)
    content = message.get("content")
    calls = message.get("function_call") or message.get("tool_calls")
    if content and (message.get("function_call") or message.get("tool_calls") is not None):
        return content if message.get("tool_calls") == [] else message
    if content is None or (content == "" and message.get("tool_calls") is not None):
        return calls
    return content


def _env_float(raw: Any, default: float) -> float:
    """promptfoo's getEnvFloat: parseFloat of the text (its leading number), else the default."""
    m = re.match(
        r"\s*[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Infinity)", str(raw)
    )
    if raw in (None, "") or m is None:
        return default
    value = float(m.group(0).replace("Infinity", "inf"))
    return value if not math.isnan(value) else default


def grader_spec(ref: Any, providers: Sequence[ProviderSpec]) -> ProviderSpec:
    """The provider a grader ref names: one of the suite's, by label or id, else one inline."""
    named = next((p for p in providers if ref in (p.label, p.id)), None)
    return named if named is not None else provider_from_ref(ref)


GRADER_KINDS = ("text", "embedding", "moderation")
# promptfoo's default moderation provider, when no grader is named (its endpoint and key are the
# run's own, as promptfoo's are OPENAI_BASE_URL and OPENAI_API_KEY)
MODERATOR = ProviderSpec(
    "openai:moderation:omni-moderation-latest",
    "openai:moderation:omni-moderation-latest",
    "omni-moderation-latest",
)


def grader_for(ref: Any, kind: str, providers: Sequence[ProviderSpec]) -> ProviderSpec:
    """promptfoo's getGradingProvider: a grader ref, or a map of one per kind ({text: ...,
    embedding: ...}) whose entry for `kind` is the one."""
    if isinstance(ref, dict | LineMap) and "id" not in ref and any(k in ref for k in GRADER_KINDS):
        if kind not in ref:
            raise ConfigError(
                f"Invalid provider definition for output type '{kind}': "
                f"{json.dumps(ref, indent=2, ensure_ascii=False)}"
            )
        ref = ref[kind]
    return grader_spec(ref, providers)


def promptfoo_id(ref: Any, kind: str, providers: Sequence[ProviderSpec]) -> str:
    """What the grader a ref names calls itself in promptfoo's reasons (its provider's id()):
    the id as written for an object or one of the suite's providers; an openai provider named
    by a bare id string reports `openai:MODEL` (promptfoo gives it no id, and no apiBaseUrl)."""
    if isinstance(ref, dict | LineMap) and "id" not in ref and kind in ref:
        ref = ref[kind]
    spec = grader_spec(ref, providers)
    inline = isinstance(ref, str) and all(ref not in (p.label, p.id) for p in providers)
    if inline and spec.id.startswith("openai:") and spec.model:
        return f"openai:{spec.model}"
    return spec.id


class ProviderPool:
    """One base client per provider; each case gets a view of it with its own usage log.

    The views share the base's connection (its HTTP connection pool, the embedded server, and a
    json_schema refusal once learned), the response cache. Each repeat of a case has a cache
    space of its own, as in promptfoo; an openai provider sends on every repeat what promptfoo
    sends (its seed as configured, or none), the embedded model seed + i (distinct samples).
    """

    def __init__(self, use_cache: bool = True, base: Settings | None = None) -> None:
        self.base = base if base is not None else load_settings(use_cache=use_cache)
        self.use_cache = use_cache and self.base.use_cache
        self.cache = (
            ResponseCache(default_cache_path(self.base.cache_dir)) if self.use_cache else None
        )
        self._clients: dict[str, LLMClient] = {}
        self._lock = threading.Lock()
        self.embedded_lock = threading.Semaphore(1)  # one embedded server, one request at a time
        self.grading_usage = UsageLog()

    def settings_for(self, spec: ProviderSpec) -> Settings:
        cfg = spec.config
        params: dict[str, Any] = {"use_cache": self.use_cache}
        for key in ("temperature", "timeout"):
            if key in cfg:
                params[key] = float(cfg[key])
        for key in ("seed", "prompt_budget", "max_retries"):
            if key in cfg:
                params[key] = int(cfg[key])
        if "deterministic" in cfg:
            params["deterministic"] = bool(cfg["deterministic"])
        if spec.embedded or spec.echo:
            gguf = cfg.get("gguf") or self.base.gguf
            # `embedded:MODEL` names one; plain `embedded` is the model this run chose
            # (--model / NEWSDESK_MODEL), else the default
            chosen = self.base.model if self.base.embedded_spec is not None else None
            model = (spec.model or chosen) if spec.embedded else None
            return replace(self.base, base_url=None, api_key=None, model=model, gguf=gguf, **params)
        if "seed" not in cfg:
            params["seed"] = None  # promptfoo's openai provider sends a seed only when set
        base_url = cfg.get("apiBaseUrl") or cfg.get("base_url") or self.base.base_url
        key_env = cfg.get("apiKeyEnvar") or cfg.get("api_key_env")
        api_key = cfg.get("apiKey") or (
            os.environ.get(str(key_env)) if key_env else self.base.api_key
        )
        if key_env and not api_key:
            raise ConfigError(f"provider {spec.label}: ${key_env} is not set")
        if not base_url and not api_key:
            raise ConfigError(
                f"provider {spec.label}: needs OPENAI_API_KEY or config.base_url "
                "(use `embedded` for the built-in model)"
            )
        model = spec.model or self.base.model
        if not model:
            raise ConfigError(f"provider {spec.label}: no model named")
        return replace(
            self.base,
            base_url=base_url,
            api_key=api_key or "no-key",
            model=model,
            gguf=None,
            **params,
        )

    def check(self, suites: list[Suite]) -> None:
        """Fail before running anything if a provider, or a grader, cannot be configured."""
        for suite in suites:
            for spec in suite.providers:
                self.settings_for(spec)
            for line, ref in suite.graders():
                try:
                    mapped = isinstance(ref, dict | LineMap) and "id" not in ref
                    for kind in [k for k in GRADER_KINDS if k in ref] if mapped else ["text"]:
                        self.settings_for(grader_for(ref, kind, suite.providers))
                except ConfigError as exc:
                    raise ConfigError(f"{suite.path}:{line}: {exc}") from None

    def _base_client(self, spec: ProviderSpec) -> LLMClient:
        key = f"{spec.id}|{sorted(spec.config.items())!r}|{spec.model}"
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = LLMClient(self.settings_for(spec), cache=self.cache)
                if not spec.echo:
                    client.connect()  # the HTTP client (and the embedded server), once
                self._clients[key] = client
            return client

    def client(
        self,
        spec: ProviderSpec,
        repeat: int = 0,
        usage: UsageLog | None = None,
        env: dict[str, Any] | None = None,
        repeats: int = 1,
    ) -> LLMClient:
        """A client for one case (or its grader) on `spec`: in a run of `repeats` > 1, a cache
        space of its own per repeat, repeat 0's too (promptfoo's `repeat:N` namespace: the same
        request, a seed in `passthrough` too, is asked again on each repeat and found again on
        the next run); the embedded model also samples anew per repeat (seed + repeat: it
        answers a seed alike every time), where an openai provider sends promptfoo's request
        unchanged. The provider's request fields (`request_fields`, with the suite's `env`) on
        every call it makes, the grader's as the case's."""
        fields = request_fields(spec.config, env or {})
        space = f"repeat:{repeat}" if repeat or repeats > 1 else ""
        offset = repeat if spec.embedded else 0
        return self._base_client(spec).view(
            usage, seed_offset=offset, fields=fields, cache_space=space
        )

    @staticmethod
    def embeddings_model(spec: ProviderSpec) -> str | None:
        """`openai:embedding:MODEL` (promptfoo's embedding provider), or config.embeddings."""
        if spec.id.startswith(("openai:embedding:", "openai:embeddings:")) and spec.model:
            return spec.model
        value = spec.config.get("embeddings")
        return str(value) if value else None
