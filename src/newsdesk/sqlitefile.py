"""How newsdesk opens its SQLite files (response cache, history, token counts): autocommit, WAL,
shared by threads, and safe when another process opens the same file at the same moment."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path


def connect(path: Path, schema: str, timeout: float = 30.0) -> sqlite3.Connection:
    """Open `path` (its folder made first) and create `schema`'s table. Concurrent writers wait
    up to `timeout` s."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    # another process creating the file at the same moment answers "locked" without waiting on
    # the busy timeout: that is a reason to retry, not to give up on the file
    retrying(lambda: conn.execute("PRAGMA journal_mode=WAL"))
    retrying(lambda: conn.execute(schema))
    return conn


def retrying(statement: Callable[[], object], attempts: int = 20) -> None:
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
