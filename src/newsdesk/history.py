"""Past answers, kept in the response cache's SQLite file so that the terminal and the browser
share them: an answer given by `newsdesk ask` is listed by `newsdesk serve`'s page.

The response cache keys raw completions by a hash and cannot say which article or question they
answered, so each finished command also writes one row here: the task, the article's text and
title, its input (question, draft, options) and the command's `--json` record. Only finished
answers are written, in one statement: a request that stops half-way leaves nothing.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsdesk.llm.cache import connect

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS answers (id INTEGER PRIMARY KEY AUTOINCREMENT, created REAL NOT"
    " NULL, task TEXT NOT NULL, model TEXT NOT NULL, article_key TEXT NOT NULL, title TEXT NOT"
    " NULL, article TEXT NOT NULL, input TEXT NOT NULL, record TEXT NOT NULL)"
)
TITLE_CHARS = 120


def article_key(text: str) -> str:
    """The article's identity: the same text pasted twice is one article."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Entry:
    id: int
    created: float
    task: str
    model: str
    article_key: str
    title: str
    input: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created": self.created,
            "task": self.task,
            "model": self.model,
            "article_key": self.article_key,
            "title": self.title,
            "input": self.input,
        }


class History:
    """The `answers` table beside the response cache's. Never fatal: a failure skips a row."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = connect(self.path, SCHEMA)
        return self._conn

    def add(
        self, task: str, model: str, text: str, title: str, inputs: dict[str, Any], record: Any
    ) -> int | None:
        row = (
            time.time(),
            task,
            model,
            article_key(text),
            title[:TITLE_CHARS],
            text,
            json.dumps(inputs, ensure_ascii=False),
            json.dumps(record, ensure_ascii=False),
        )
        with self._lock:
            try:
                cur = self._db().execute(
                    "INSERT INTO answers (created, task, model, article_key, title, article,"
                    " input, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    row,
                )
            except (sqlite3.Error, OSError):
                return None  # the answer itself stands; only its listing is lost
            return cur.lastrowid

    def entries(self, limit: int = 200) -> list[Entry]:
        with self._lock:
            try:
                rows = (
                    self._db()
                    .execute(
                        "SELECT id, created, task, model, article_key, title, input FROM answers"
                        " ORDER BY id DESC LIMIT ?",
                        (limit,),
                    )
                    .fetchall()
                )
            except (sqlite3.Error, OSError):
                return []
        return [Entry(r[0], r[1], r[2], r[3], r[4], r[5], _loads(r[6])) for r in rows]

    def get(self, entry_id: int) -> dict[str, Any] | None:
        """One entry with its article's text and its record."""
        with self._lock:
            try:
                row = (
                    self._db()
                    .execute(
                        "SELECT id, created, task, model, article_key, title, input, article,"
                        " record FROM answers WHERE id=?",
                        (entry_id,),
                    )
                    .fetchone()
                )
            except (sqlite3.Error, OSError):
                return None
        if row is None:
            return None
        entry = Entry(row[0], row[1], row[2], row[3], row[4], row[5], _loads(row[6]))
        return {**entry.to_dict(), "article": row[7], "record": _loads(row[8])}

    def clear(self) -> int:
        """Forget every past answer (`newsdesk cache clear`); how many there were."""
        with self._lock:
            conn = self._db()
            n: int = conn.execute("SELECT count(*) FROM answers").fetchone()[0]
            conn.execute("DELETE FROM answers")
            return n

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _loads(raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except (TypeError, json.JSONDecodeError):
        return {}
    return value if isinstance(value, dict) else {}
