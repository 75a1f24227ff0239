from __future__ import annotations

import pytest

from newsdesk.config import load_settings
from newsdesk.errors import ConfigError


def test_defaults_mean_embedded(monkeypatch):
    monkeypatch.delenv("NEWSDESK_MODEL")  # the test session's fast model
    s = load_settings()
    assert s.embedded
    assert s.model_name == "qwen2.5-coder-1.5b"
    assert s.endpoint_label == "embedded"


def test_flags_beat_env_beat_dotenv(monkeypatch, tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("NEWSDESK_MODEL=from-dotenv\nOPENAI_BASE_URL=http://dotenv/v1\n")
    monkeypatch.setenv("NEWSDESK_ENV_FILE", str(env_file))
    for name in ("NEWSDESK_MODEL", "OPENAI_BASE_URL"):
        monkeypatch.setenv(name, "x")  # records "unset" so the .env values are undone afterwards
        monkeypatch.delenv(name)
    s = load_settings()
    assert s.model == "from-dotenv"
    assert not s.embedded
    monkeypatch.setenv("NEWSDESK_MODEL", "from-env")
    assert load_settings().model == "from-env"
    assert load_settings(model="from-flag").model == "from-flag"
    assert load_settings(base_url="http://flag/v1").base_url == "http://flag/v1"


def test_key_never_in_repr(monkeypatch):
    s = load_settings(api_key="sk-secret-value-123456")
    assert "sk-secret" not in repr(s)


def test_bad_number_is_config_error(monkeypatch):
    monkeypatch.setenv("NEWSDESK_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match="NEWSDESK_TIMEOUT"):
        load_settings()


def test_gguf_means_embedded_with_file_stem():
    s = load_settings(gguf="/models/qwen2.5-7b-instruct-q4.gguf", base_url="http://x/v1")
    assert s.embedded
    assert s.model_name == "qwen2.5-7b-instruct-q4"
