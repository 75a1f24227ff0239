"""The on-disk memo of token counts (`tokens_memo`): read back, never fatal, keyed by encoding."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import newsdesk.tokens_memo as tokens_memo
from newsdesk.tokens import count_tokens, encoding_name
from newsdesk.tokens_memo import TokenMemo
from tests.helpers.paths import SRC


def test_a_count_is_read_back_by_another_memo_on_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "counts.sqlite3"  # the directory is created on first use
    first = TokenMemo(path)
    assert first.get("k") is None
    first.put("k", 42)
    assert first.get("k") == 42
    assert path.exists()
    assert TokenMemo(path).get("k") == 42
    assert TokenMemo(path).get("other") is None


def test_a_later_put_replaces_the_count(tmp_path: Path) -> None:
    path = tmp_path / "counts.sqlite3"
    m = TokenMemo(path)
    m.put("k", 1)
    m.put("k", 2)
    assert m.get("k") == 2
    assert TokenMemo(path).get("k") == 2
    rows = sqlite3.connect(path).execute("SELECT key, n FROM counts").fetchall()
    assert rows == [("k", 2)]


def test_a_corrupt_memo_file_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "counts.sqlite3"
    path.write_bytes(b"this is not a database\x00" * 200)
    m = TokenMemo(path)
    assert m.get("k") is None
    m.put("k", 7)  # does not raise
    assert m.get("k") == 7  # still memoised for this process


def test_an_unusable_memo_path_is_ignored(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the memo's directory should be")
    m = TokenMemo(blocker / "counts.sqlite3")
    assert m.get("k") is None
    m.put("k", 3)
    assert m.get("k") == 3
    assert blocker.is_file()


def test_a_memo_file_with_another_table_shape_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "counts.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE counts (something_else TEXT)")
    conn.commit()
    conn.close()
    m = TokenMemo(path)
    assert m.get("k") is None
    m.put("k", 5)
    assert m.get("k") == 5


def test_memo_lives_in_the_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_CACHE_DIR", str(tmp_path))
    tokens_memo.memo.cache_clear()
    try:
        m = tokens_memo.memo()
        assert m.path == tmp_path / "token_counts.sqlite3"
        assert tokens_memo.memo() is m  # one per process
    finally:
        tokens_memo.memo.cache_clear()


def _key(model: str | None, text: str) -> str:
    return hashlib.sha256(f"{encoding_name(model)}\0{text}".encode()).hexdigest()


def test_count_tokens_reads_the_memo_keyed_by_encoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = TokenMemo(tmp_path / "counts.sqlite3")
    monkeypatch.setattr(tokens_memo, "memo", lambda: m)
    text = "Negotiators agreed to cut tariffs."
    assert encoding_name("gpt-4") == "cl100k_base"
    assert encoding_name(None) == "o200k_base"
    assert _key("gpt-4", text) != _key(None, text)
    # planted counts: a memo hit is returned without loading any encoding (no network)
    m.put(_key("gpt-4", text), 1001)
    m.put(_key(None, text), 1002)
    assert count_tokens(text, "gpt-4") == 1001
    assert count_tokens(text) == 1002
    # models that share an encoding share the entry
    assert encoding_name("gpt-4o") == "o200k_base"
    assert count_tokens(text, "gpt-4o") == 1002


def test_count_tokens_stores_what_it_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = TokenMemo(tmp_path / "counts.sqlite3")
    monkeypatch.setattr(tokens_memo, "memo", lambda: m)
    text = "A sentence nobody has counted before: 4f1c9e."
    n = count_tokens(text)
    assert 5 < n < 30
    assert TokenMemo(m.path).get(_key(None, text)) == n


_WRITER = """
import sys
from pathlib import Path
from newsdesk.tokens_memo import TokenMemo
m = TokenMemo(Path(sys.argv[1]))
for i in range(200):
    m.put(f"{sys.argv[2]}-{i}", i)
"""


def test_concurrent_processes_do_not_corrupt_the_memo(tmp_path: Path) -> None:
    path = tmp_path / "counts.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(path), tag], env=env)
        for tag in ("a", "b")
    ]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    m = TokenMemo(path)
    assert all(m.get(f"{tag}-{i}") == i for tag in ("a", "b") for i in range(200))
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_threads_sharing_one_memo_do_not_fail(tmp_path: Path) -> None:
    m = TokenMemo(tmp_path / "counts.sqlite3")
    m.put("main", 1)  # the connection is opened on this thread
    errors: list[BaseException] = []

    def work(tag: str) -> None:
        try:
            for i in range(50):
                m.put(f"{tag}-{i}", i)
                assert m.get(f"{tag}-{i}") == i
            assert m.get("main") == 1
        except BaseException as e:  # surfaced below: a thread's exception is otherwise lost
            errors.append(e)

    threads = [threading.Thread(target=work, args=(t,)) for t in "xyz"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_a_count_put_from_another_thread_is_persisted(tmp_path: Path) -> None:
    path = tmp_path / "counts.sqlite3"
    m = TokenMemo(path)
    m.put("main", 1)
    t = threading.Thread(target=m.put, args=("worker", 2))
    t.start()
    t.join()
    assert TokenMemo(path).get("main") == 1
    assert TokenMemo(path).get("worker") == 2
