"""Suite providers -> LLMClients. `embedded` is the built-in model; anything else is a model on an
OpenAI-compatible endpoint (config.base_url, else OPENAI_BASE_URL; key from OPENAI_API_KEY or the
variable config.api_key_env names). All clients share one response cache (the CLI's)."""

from __future__ import annotations

import copy
import os
import threading
from dataclasses import replace
from typing import Any

from newsdesk.config import Settings, load_settings
from newsdesk.errors import ConfigError
from newsdesk.evals.suite import ProviderSpec, Suite
from newsdesk.llm.cache import ResponseCache, default_cache_path
from newsdesk.llm.client import LLMClient
from newsdesk.llm.usage import UsageLog


def provider_from_ref(ref: Any) -> ProviderSpec:
    """A grader named inline (`embedded`, `openai:gpt-4o-mini`, or {id, config})."""
    from newsdesk.evals.suite import LineMap, _model_from_id

    if isinstance(ref, str):
        return ProviderSpec(ref, ref, _model_from_id(ref))
    if isinstance(ref, dict | LineMap):
        ident = str(ref.get("id") or f"openai:{ref.get('model')}")
        return ProviderSpec(
            ident,
            str(ref.get("label") or ident),
            ref.get("model") or _model_from_id(ident),
            dict(ref.get("config") or {}),
        )
    raise ConfigError(f"cannot use {ref!r} as a provider")


class ProviderPool:
    """One base client per provider; each case gets a shallow copy with its own usage log.

    The copies share the base's openai client (and so its HTTP connection pool), the response
    cache and the embedded server. Repeat i of a case uses seed + i, so repeats are distinct
    samples at temperature > 0 and each still has its own cache entry.
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
        if spec.embedded:
            gguf = cfg.get("gguf") or self.base.gguf
            # the embedded model this run chose (--model / NEWSDESK_MODEL), else the default
            model = self.base.model if self.base.embedded_spec is not None else None
            return replace(self.base, base_url=None, api_key=None, model=model, gguf=gguf, **params)
        base_url = cfg.get("base_url") or cfg.get("apiBaseUrl") or self.base.base_url
        key_env = cfg.get("api_key_env") or cfg.get("apiKeyEnvar")
        api_key = os.environ.get(str(key_env)) if key_env else self.base.api_key
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
        """Fail before running anything if a provider cannot be configured."""
        for suite in suites:
            for spec in suite.providers:
                self.settings_for(spec)

    def _base_client(self, spec: ProviderSpec) -> LLMClient:
        key = f"{spec.id}|{sorted(spec.config.items())!r}|{spec.model}"
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = LLMClient(self.settings_for(spec), cache=self.cache)
                client._openai()  # create the HTTP client (and start the embedded server) once
                self._clients[key] = client
            return client

    def client(
        self, spec: ProviderSpec, repeat: int = 0, usage: UsageLog | None = None
    ) -> LLMClient:
        base = self._base_client(spec)
        clone = copy.copy(base)
        clone.usage = usage if usage is not None else UsageLog()
        if repeat:
            clone.settings = replace(base.settings, seed=base.settings.seed + repeat)
        return clone

    @staticmethod
    def embeddings_model(spec: ProviderSpec) -> str | None:
        value = spec.config.get("embeddings")
        return str(value) if value else None
