"""SQLite response cache: safe for concurrent processes, never fatal.

Keys hash everything that shapes an answer (endpoint, model, messages, schema, parameters) and
never the API key. A corrupt file is moved aside and rebuilt with a warning.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

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


class ResponseCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._conn = self._open()
            except sqlite3.DatabaseError as exc:
                self._rebuild(exc)
                self._conn = self._open()
        return self._conn

    def _open(self) -> sqlite3.Connection:
        # autocommit; busy_timeout lets concurrent writers wait instead of failing
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(SCHEMA)
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
        try:
            row = (
                self._connect()
                .execute("SELECT value FROM responses WHERE key=?", (key,))
                .fetchone()
            )
            return json.loads(row[0]) if row else None
        except (sqlite3.DatabaseError, json.JSONDecodeError) as exc:
            self._recover(exc)
            return None

    def put(self, key: str, value: dict[str, Any]) -> None:
        blob = json.dumps(value, ensure_ascii=False)
        try:
            self._connect().execute(
                "INSERT OR REPLACE INTO responses (key, value, created) VALUES (?, ?, ?)",
                (key, blob, time.time()),
            )
        except sqlite3.DatabaseError as exc:
            self._recover(exc)

    def _recover(self, exc: Exception) -> None:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            return  # another process holds it past the timeout: skip caching this once
        self.close()
        self._rebuild(exc)

    def stats(self) -> dict[str, Any]:
        conn = self._connect()
        entries = conn.execute("SELECT count(*) FROM responses").fetchone()[0]
        size = sum(
            Path(str(self.path) + s).stat().st_size
            for s in ("", "-wal")
            if Path(str(self.path) + s).exists()
        )
        return {"path": str(self.path), "entries": entries, "bytes": size}

    def clear(self) -> int:
        conn = self._connect()
        n: int = conn.execute("SELECT count(*) FROM responses").fetchone()[0]
        conn.execute("DELETE FROM responses")
        conn.execute("VACUUM")
        return n

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
