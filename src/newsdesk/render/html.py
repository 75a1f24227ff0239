"""HTML's one environment, for every task's HTML page: Jinja over the folder that holds the
page's template, with autoescape ON (unlike the prompt environment), so every piece of article
text and model output is HTML-escaped. Each page also carries a Content-Security-Policy that
forbids scripts and external loads even if something slipped through.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2


@lru_cache(maxsize=8)
def html_environment(folder: Path) -> jinja2.Environment:
    """The environment for the page templates in `folder` (a task's package)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
