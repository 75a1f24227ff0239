"""What promptfoo 0.123.1 accepts and newsdesk eval does not run, with the reason: refused when a
suite loads (never silently ignored, never guessed at)."""

from __future__ import annotations

ASSERTION_TYPES: dict[str, str] = {
    # promptfoo 0.123.1 errors on every meteor assertion: it reads natural's PorterStemmer as a
    # named export, which natural 8 (CommonJS) does not give an ESM import; measured on node 20
    # and 22, so there is no verdict of promptfoo's to match
    "meteor": "promptfoo 0.123.1's own meteor fails on every case (\"PorterStemmer should be "
    'loaded": it cannot load the natural package it installs), so there is no promptfoo '
    "verdict to match",
    "classifier": "runs a Hugging Face classifier, which newsdesk does not call",
}

SUITE_KEYS: dict[str, str] = {
    "extensions": "extension hooks (beforeAll, afterEach...) run arbitrary code around the run; "
    "newsdesk does not run them",
    "redteam": "red teaming is promptfoo's own feature (`promptfoo redteam`)",
}


def reason(table: dict[str, str], name: str) -> str | None:
    """`name (not supported: why)` when newsdesk refuses it, else None."""
    why = table.get(name)
    return f"{name!r} is not supported by newsdesk eval: {why}" if why else None
