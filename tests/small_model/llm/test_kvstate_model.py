"""Saved KV states with the embedded 270M model: the session's server, and real newsdesk processes
(split from tests/nomodel/llm/test_kvstate.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from newsdesk.llm.kvstate import (
    SUFFIX,
)


def _states(cache: Path) -> list[Path]:
    return sorted((cache / "kv").glob(f"*{SUFFIX}"))


BIN = Path(sys.executable).parent


def _newsdesk(cache: Path, *args: str) -> str:
    env = {**os.environ, "NEWSDESK_CACHE_DIR": str(cache)}
    cmd = [str(BIN / "newsdesk"), *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout


QUESTION = "What did Xi agree to?"


def _ask(example: Path, cache: Path, **env: str) -> tuple[dict, str]:  # type: ignore[type-arg]
    proc = subprocess.run(
        [str(BIN / "newsdesk"), "ask", str(example), QUESTION, "--no-cache", "--json"],
        env={**os.environ, "NEWSDESK_CACHE_DIR": str(cache), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["answer"]
    return data["usage"], proc.stderr


def test_only_the_embedded_server_without_deterministic_saves_states(tmp_path: Path) -> None:
    from newsdesk.config import load_settings
    from newsdesk.llm.client import LLMClient

    remote = LLMClient(load_settings(base_url="http://127.0.0.1:9/v1", use_cache=False))
    remote.base_url()
    assert remote.connection.slots is None
    det = LLMClient(load_settings(deterministic=True, use_cache=False))
    det.base_url()  # the session's embedded server
    assert det.connection.slots is None
    off = LLMClient(load_settings(use_cache=False).with_overrides(kv_cache_mb=0.0))
    off.base_url()
    assert off.connection.slots is None


def test_a_second_process_restores_the_article_instead_of_reading_it(
    tmp_path: Path, example_path: Path
) -> None:
    first, err1 = _ask(example_path, tmp_path)
    assert "warning" not in err1
    assert len(_states(tmp_path)) == 1
    second, err2 = _ask(example_path, tmp_path)
    assert "warning" not in err2
    # The first process's first call read everything (a fresh server); the second process
    # restored the state before its first call, so the server read only a token or so of it.
    # (A re-ask, in either process, reuses its own first call's prefix: counted in both.)
    per_call = second["prompt_tokens"] / second["calls"]
    assert second["cached_prompt_tokens"] - first["cached_prompt_tokens"] >= 0.9 * per_call
    assert len(_states(tmp_path)) == 1  # restored, not saved again

    kv = json.loads(_newsdesk(tmp_path, "cache", "stats", "--json"))["kv_states"]
    assert kv["states"] == 1 and kv["bytes"] == _states(tmp_path)[0].stat().st_size
    cleared = _newsdesk(tmp_path, "cache", "clear", "--yes")
    assert "1 saved KV states" in cleared and _states(tmp_path) == []


def test_a_truncated_state_file_warns_once_and_the_answer_still_comes(
    tmp_path: Path, example_path: Path
) -> None:
    _ask(example_path, tmp_path)
    (state,) = _states(tmp_path)
    size = state.stat().st_size
    state.write_bytes(state.read_bytes()[: size // 2])  # llama.cpp aborts the process on it
    usage, err = _ask(example_path, tmp_path)
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "truncated" in warnings[0], err
    assert usage["calls"] >= 1
    (fresh,) = _states(tmp_path)  # the bad one is gone, a whole one saved in its place
    assert fresh.stat().st_size == size


def test_saved_states_stay_within_the_bound(tmp_path: Path, example_path: Path) -> None:
    _ask(example_path, tmp_path)
    (one,) = _states(tmp_path)
    size = one.stat().st_size
    # room for one state and a half: another article's state evicts the older one
    other = tmp_path / "other.txt"
    other.write_text(example_path.read_text().replace("Xi", "Mr Xi Jinping"))
    bound = f"{1.5 * size / 1e6:.6f}"
    _ask(other, tmp_path, NEWSDESK_KV_CACHE_MB=bound)
    states = _states(tmp_path)
    assert len(states) == 1 and states[0] != one
    assert sum(p.stat().st_size for p in states) <= 1.5 * size
