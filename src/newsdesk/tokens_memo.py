"""A small on-disk memo of token counts (SQLite beside the response cache; never fatal)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path


class TokenMemo:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._mem: dict[str, int] = {}
        self._broken = False
        # one connection for the process, used by batch and eval worker threads too
        self._lock = threading.Lock()

    def _db(self) -> sqlite3.Connection | None:
        with self._lock:
            return self._open()

    def _open(self) -> sqlite3.Connection | None:
        if self._conn is None and not self._broken:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(
                    self.path, timeout=5, isolation_level=None, check_same_thread=False
                )
                # another process creating the file at the same moment answers "locked"
                # without waiting on the busy timeout: that is a reason to retry, not to give up
                _retrying(lambda: conn.execute("PRAGMA journal_mode=WAL"))
                _retrying(
                    lambda: conn.execute(
                        "CREATE TABLE IF NOT EXISTS counts (key TEXT PRIMARY KEY, n INTEGER)"
                    )
                )
                self._conn = conn
            except (sqlite3.Error, OSError):
                self._broken = True  # a memo is an optimisation: carry on without it
        return self._conn

    def get(self, key: str) -> int | None:
        if key in self._mem:
            return self._mem[key]
        db = self._db()
        if db is None:
            return None
        try:
            with self._lock:
                row = db.execute("SELECT n FROM counts WHERE key=?", (key,)).fetchone()
        except sqlite3.Error:
            return None
        if row:
            self._mem[key] = int(row[0])
            return self._mem[key]
        return None

    def put(self, key: str, n: int) -> None:
        self._mem[key] = n
        db = self._db()
        if db is None:
            return
        with contextlib.suppress(sqlite3.Error), self._lock:
            _retrying(
                lambda: db.execute("INSERT OR REPLACE INTO counts (key, n) VALUES (?, ?)", (key, n))
            )


def _retrying(statement: Callable[[], object], attempts: int = 20) -> None:
    """Run a statement, retrying while another process holds the file ("locked", "busy")."""
    for attempt in range(attempts):
        try:
            statement()
            return
        except sqlite3.OperationalError as e:
            transient = "locked" in str(e) or "busy" in str(e)
            if not transient or attempt == attempts - 1:
                raise
            time.sleep(0.01 * (attempt + 1))


@lru_cache(maxsize=1)
def memo() -> TokenMemo:
    env = os.environ.get("NEWSDESK_CACHE_DIR")
    if env:
        base = Path(env).expanduser()
    else:
        from platformdirs import user_cache_dir

        base = Path(user_cache_dir("newsdesk"))
    return TokenMemo(base / "token_counts.sqlite3")
