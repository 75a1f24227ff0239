"""Paths every test layer uses, found from this file (never from the working directory)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"
EXAMPLE = EXAMPLES / "us-china-trade-talks.txt"
DATA = ROOT / "tests" / "data"
