"""Settings resolution: flags > environment > .env > defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

EMBEDDED_MODEL = "gemma-3-270m"


@dataclass(frozen=True)
class Settings:
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)  # never printed
    model: str | None = None
    gguf: str | None = None
    cache_dir: Path | None = None
    use_cache: bool = True
    timeout: float = 120.0
    max_retries: int = 4  # retries after the first try, on 429/5xx/connection errors
    backoff: float = 0.5  # seconds before the first retry; doubles each time, with jitter
    temperature: float = 0.0
    seed: int = 7
    deterministic: bool = False
    n_ctx: int = 8192
    prompt_budget: int | None = None  # tokens of article text a prompt may carry

    @property
    def article_budget(self) -> int:
        """The small embedded model answers best from a few relevant sentences, not everything."""
        if self.prompt_budget:
            return self.prompt_budget
        return 1200 if self.embedded and not self.gguf else 12000

    @property
    def embedded(self) -> bool:
        """No endpoint configured (or a GGUF given): serve a model in-process."""
        return bool(self.gguf) or not (self.base_url or self.api_key)

    @property
    def model_name(self) -> str:
        if self.model:
            return self.model
        if self.embedded:
            return Path(self.gguf).stem if self.gguf else EMBEDDED_MODEL
        return "gpt-4o-mini"

    @property
    def endpoint_label(self) -> str:
        if self.embedded:
            return "embedded"
        return self.base_url or "https://api.openai.com/v1"

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]


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
        from newsdesk.errors import ConfigError

        raise ConfigError(f"{name} must be a number, got {raw!r}") from None


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
    return Settings(
        base_url=base_url or _env("OPENAI_BASE_URL"),
        api_key=api_key or _env("OPENAI_API_KEY"),
        model=model or _env("NEWSDESK_MODEL"),
        gguf=gguf or _env("NEWSDESK_GGUF"),
        cache_dir=Path(cache_dir_env).expanduser() if cache_dir_env else None,
        use_cache=use_cache and _env("NEWSDESK_NO_CACHE") is None,
        timeout=timeout if timeout is not None else _env_float("NEWSDESK_TIMEOUT", 120.0),
        max_retries=int(_env_float("NEWSDESK_MAX_RETRIES", 4)),
        backoff=_env_float("NEWSDESK_BACKOFF", 0.5),
        temperature=_env_float("NEWSDESK_TEMPERATURE", 0.0),
        seed=int(_env_float("NEWSDESK_SEED", 7)),
        deterministic=deterministic or _env("NEWSDESK_DETERMINISTIC") is not None,
        n_ctx=int(_env_float("NEWSDESK_N_CTX", 8192)),
        prompt_budget=int(_env_float("NEWSDESK_PROMPT_BUDGET", 0)) or None,
    )
