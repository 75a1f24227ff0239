"""A small on-disk memo of token counts (SQLite beside the response cache; never fatal)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from functools import lru_cache
from pathlib import Path

from newsdesk.sqlitefile import connect, retrying


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
                self._conn = connect(
                    self.path,
                    "CREATE TABLE IF NOT EXISTS counts (key TEXT PRIMARY KEY, n INTEGER)",
                    timeout=5,
                )
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
            retrying(
                lambda: db.execute("INSERT OR REPLACE INTO counts (key, n) VALUES (?, ?)", (key, n))
            )


@lru_cache(maxsize=1)
def memo() -> TokenMemo:
    env = os.environ.get("NEWSDESK_CACHE_DIR")
    if env:
        base = Path(env).expanduser()
    else:
        from platformdirs import user_cache_dir

        base = Path(user_cache_dir("newsdesk"))
    return TokenMemo(base / "token_counts.sqlite3")
