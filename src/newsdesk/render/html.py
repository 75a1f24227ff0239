"""HTML's one environment, for every task's HTML page: Jinja over the package's templates with
autoescape ON (unlike the prompt environment), so every piece of article text and model output
is HTML-escaped. Each page also carries a Content-Security-Policy that forbids scripts and
external loads even if something slipped through.
"""

from __future__ import annotations

from functools import lru_cache

import jinja2

from newsdesk.prompts import prompts_dir


@lru_cache(maxsize=1)
def html_environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(prompts_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
