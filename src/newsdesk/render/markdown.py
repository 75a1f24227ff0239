"""Markdown's one escape, for every task's Markdown (summaries, briefings).

Article text and model output are untrusted: Markdown and HTML metacharacters in them are
backslash-escaped, so they print as text and never become links, images or raw HTML.
"""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}<>()#+!|&~])")


def md_escape(text: str) -> str:
    """Inline-safe Markdown text: one line, every metacharacter escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))
