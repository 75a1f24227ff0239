"""SQLite response cache: safe for concurrent processes, never fatal.

Keys hash everything that shapes an answer (endpoint, model, messages, schema, parameters) and
never the API key. A corrupt file is moved aside and rebuilt with a warning. One connection per
instance, shared by the threads of a batch under a lock (SQLite calls take microseconds next to
a model call); other processes are kept consistent by WAL mode and the busy timeout.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
import threading
import time
from pathlib import Path
from typing import Any

from newsdesk import sqlitefile

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS responses"
    " (key TEXT PRIMARY KEY, value TEXT NOT NULL, created REAL NOT NULL)"
)


def default_cache_path(cache_dir: Path | None = None) -> Path:
    if cache_dir is None:
        from platformdirs import user_cache_dir

        cache_dir = Path(user_cache_dir("newsdesk"))
    return cache_dir / "responses.sqlite3"


def cache_key(**parts: Any) -> str:
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def connect(path: Path, schema: str) -> sqlite3.Connection:
    """The cache file, opened as every user of it opens it (the history shares the file)."""
    return sqlitefile.connect(path, schema, timeout=30)


class ResponseCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.RLock()

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            try:
                self._conn = self._open()
            except sqlite3.OperationalError:
                raise  # busy, read-only, no space: not damage; the caller skips the cache once
            except sqlite3.DatabaseError as exc:
                self._rebuild(exc)
                self._conn = self._open()
        return self._conn

    def _open(self) -> sqlite3.Connection:
        conn = connect(self.path, SCHEMA)
        conn.execute("SELECT count(*) FROM responses LIMIT 1").fetchone()
        return conn

    def _rebuild(self, exc: Exception) -> None:
        aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
        print(
            f"warning: response cache {self.path} is unreadable ({exc}); rebuilding it",
            file=sys.stderr,
        )
        for suffix in ("", "-wal", "-shm"):
            p = Path(str(self.path) + suffix)
            if p.exists():
                p.replace(Path(str(aside) + suffix))

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            try:
                row = (
                    self._connect()
                    .execute("SELECT value FROM responses WHERE key=?", (key,))
                    .fetchone()
                )
            except (sqlite3.DatabaseError, OSError) as exc:
                self._recover(exc)
                return None
            if not row:
                return None
            try:
                value = json.loads(row[0])
            except (TypeError, json.JSONDecodeError):
                value = None
            if not isinstance(value, dict):  # one damaged entry: drop it, keep the rest
                self.delete(key)
                return None
            return value

    def put(self, key: str, value: dict[str, Any]) -> None:
        blob = json.dumps(value, ensure_ascii=False)
        with self._lock:
            try:
                self._connect().execute(
                    "INSERT OR REPLACE INTO responses (key, value, created) VALUES (?, ?, ?)",
                    (key, blob, time.time()),
                )
            except (sqlite3.DatabaseError, OSError) as exc:
                self._recover(exc)

    def delete(self, key: str) -> None:
        with self._lock:
            try:
                self._connect().execute("DELETE FROM responses WHERE key=?", (key,))
            except (sqlite3.DatabaseError, OSError) as exc:
                self._recover(exc)

    def _recover(self, exc: Exception) -> None:
        """Rebuild only a file that is really damaged; a busy, read-only or full disk is not."""
        if isinstance(exc, OSError | sqlite3.OperationalError | sqlite3.ProgrammingError):
            if isinstance(exc, sqlite3.ProgrammingError):
                self.close()  # reconnect on next use
            return  # skip caching this once; the answer itself is unaffected
        self.close()
        self._rebuild(exc)

    def stats(self) -> dict[str, Any]:
        with self._lock:
            conn = self._connect()
            entries = conn.execute("SELECT count(*) FROM responses").fetchone()[0]
        size = sum(
            Path(str(self.path) + s).stat().st_size
            for s in ("", "-wal")
            if Path(str(self.path) + s).exists()
        )
        return {"path": str(self.path), "entries": entries, "bytes": size}

    def clear(self) -> int:
        with self._lock:
            conn = self._connect()
            n: int = conn.execute("SELECT count(*) FROM responses").fetchone()[0]
            conn.execute("DELETE FROM responses")
            conn.execute("VACUUM")
            return n

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
