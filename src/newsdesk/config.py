"""Settings resolution: flags > environment > .env > defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from newsdesk.errors import ConfigError
from newsdesk.modelfiles import EmbeddedModel, default_model_dir, get_model

REMOTE_TIMEOUT = 120.0
EMBEDDED_TIMEOUT = 900.0

# Names of the embedded models (the registry is newsdesk.modelfiles).
DEFAULT_EMBEDDED_MODEL = "qwen2.5-coder-1.5b"  # served when nothing else is configured
SMALL_EMBEDDED_MODEL = "gemma-3-270m"  # the tiny base model (tests, small machines)


@dataclass(frozen=True)
class Settings:
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)  # never printed
    model: str | None = None
    gguf: str | None = None
    cache_dir: Path | None = None
    model_dir: Path | None = None  # where embedded models are assembled (None: <cache>/models)
    use_cache: bool = True
    timeout: float | None = None  # seconds per request (None: `request_timeout`'s default)
    max_retries: int = 4  # retries after the first try, on 429/5xx/connection errors
    backoff: float = 0.5  # seconds before the first retry; doubles each time, with jitter
    temperature: float = 0.0
    seed: int | None = 7  # None sends no seed (promptfoo's openai provider, unset)
    deterministic: bool = False
    n_ctx: int | None = None  # embedded server's context size (None: the model's own, 8192)
    prompt_budget: int | None = None  # tokens of article text a prompt may carry
    kv_cache_mb: float = 512.0  # bound on the embedded server's saved KV states (0: none saved)
    # n-gram (prompt-lookup) speculative decoding on the embedded server; off by default (it
    # slowed answers down here: embedded.speculate has the figures)
    speculative: bool = False
    # the semantic layer of the check (one short call per statement); off: lexical and
    # attribution only, and every result says so (for speed, or a model that cannot judge)
    entailment: bool = True

    @property
    def article_budget(self) -> int:
        """Tokens of article text one prompt may carry: the user's, else the embedded model's."""
        if self.prompt_budget:
            return self.prompt_budget
        spec = self.embedded_spec
        return spec.article_budget if spec is not None else 12000

    @property
    def request_timeout(self) -> float:
        """Seconds one request may take: the user's, else 120 for an endpoint, 900 for an
        embedded model (a CPU reads a long article and writes a stance for every party in
        minutes, not seconds: measured here, the 1.5B model on 1 thread needed over 120 s for
        one BASIL article's parties)."""
        if self.timeout is not None:
            return self.timeout
        return EMBEDDED_TIMEOUT if self.embedded else REMOTE_TIMEOUT

    @property
    def embedded_spec(self) -> EmbeddedModel | None:
        """The registry entry of the embedded model served by name (None: remote, or --gguf).

        Raises ConfigError for a name that is not an embedded model.
        """
        if not self.embedded or self.gguf:
            return None

        return get_model(self.model or DEFAULT_EMBEDDED_MODEL)

    @property
    def context_size(self) -> int:
        """Context size for an embedded server: the user's, else the model's own, else 8192."""
        if self.n_ctx:
            return self.n_ctx
        spec = self.embedded_spec
        return spec.n_ctx if spec is not None else 8192

    @property
    def embedded_model_dir(self) -> Path:
        """Where embedded models are assembled: model_dir, else <cache_dir>/models."""
        if self.model_dir is not None:
            return self.model_dir

        return default_model_dir(self.cache_dir)

    @property
    def embedded(self) -> bool:
        """No endpoint configured (or a GGUF given): serve a model in-process."""
        return bool(self.gguf) or not (self.base_url or self.api_key)

    @property
    def model_name(self) -> str:
        """The name in messages, usage and cache keys. A --gguf file is named by its stem, so
        NEWSDESK_MODEL (an embedded model's name) never labels, or shares cache with, a file."""
        if self.gguf:
            return Path(self.gguf).stem
        if self.model:
            return self.model
        return DEFAULT_EMBEDDED_MODEL if self.embedded else "gpt-4o-mini"

    @property
    def endpoint_label(self) -> str:
        if self.embedded:
            return "embedded"
        return self.base_url or "https://api.openai.com/v1"

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _env(name: str) -> str | None:
    value = os.environ.get(name)
    return value if value else None


def _env_float(name: str, default: float) -> float:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in ("1", "on", "true", "yes"):
        return True
    if value in ("0", "off", "false", "no"):
        return False

    raise ConfigError(f"{name} must be on or off (1/0), got {raw!r}")


def _env_float_or_none(name: str) -> float | None:
    return _env_float(name, 0.0) if _env(name) is not None else None


def load_settings(
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    model: str | None = None,
    gguf: str | None = None,
    use_cache: bool = True,
    deterministic: bool = False,
    timeout: float | None = None,
    env_file: str | Path | None = None,
) -> Settings:
    """Resolve settings. A `.env` file fills only variables the environment does not already set.

    The file is `./.env` unless NEWSDESK_ENV_FILE names another (empty: none).
    """
    if env_file is None:
        env_file = os.environ.get("NEWSDESK_ENV_FILE", ".env")
    if env_file and Path(env_file).is_file():
        from dotenv import load_dotenv

        load_dotenv(env_file, override=False)
    cache_dir_env = _env("NEWSDESK_CACHE_DIR")
    model_dir_env = _env("NEWSDESK_MODEL_DIR")
    n_ctx = int(_env_float("NEWSDESK_N_CTX", 0)) or None
    settings = Settings(
        base_url=base_url or _env("OPENAI_BASE_URL"),
        api_key=api_key or _env("OPENAI_API_KEY"),
        model=model or _env("NEWSDESK_MODEL"),
        gguf=gguf or _env("NEWSDESK_GGUF"),
        cache_dir=Path(cache_dir_env).expanduser() if cache_dir_env else None,
        model_dir=Path(model_dir_env).expanduser() if model_dir_env else None,
        use_cache=use_cache and _env("NEWSDESK_NO_CACHE") is None,
        timeout=timeout if timeout is not None else _env_float_or_none("NEWSDESK_TIMEOUT"),
        max_retries=int(_env_float("NEWSDESK_MAX_RETRIES", 4)),
        backoff=_env_float("NEWSDESK_BACKOFF", 0.5),
        temperature=_env_float("NEWSDESK_TEMPERATURE", 0.0),
        seed=int(_env_float("NEWSDESK_SEED", 7)),
        deterministic=deterministic or _env("NEWSDESK_DETERMINISTIC") is not None,
        n_ctx=n_ctx,
        prompt_budget=int(_env_float("NEWSDESK_PROMPT_BUDGET", 0)) or None,
        kv_cache_mb=max(0.0, _env_float("NEWSDESK_KV_CACHE_MB", 512.0)),
        speculative=_env_bool("NEWSDESK_SPECULATIVE", False),
        entailment=_env_bool("NEWSDESK_ENTAILMENT", True),
    )
    _ = settings.embedded_spec  # an unknown embedded model name fails here, in one line
    return settings
