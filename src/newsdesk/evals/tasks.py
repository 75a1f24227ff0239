"""What `newsdesk eval` needs of the tasks: the article a case names, and the task run through its
contract (`newsdesk.tasks.contract.Task`, found in `tasks.registry`): the same code path as the
CLI, returning the text assertions see as `output` plus what newsdesk's own assertions need
(`TaskOutput`).
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsdesk.article import Article, load_article, parse_article
from newsdesk.errors import InputError
from newsdesk.tasks.contract import TaskOutput
from newsdesk.tasks.registry import get_task

if TYPE_CHECKING:
    from newsdesk.llm.client import LLMClient

__all__ = ["TaskOutput", "required_vars", "resolve_article", "run_task"]

# ---------------------------------------------------------------- articles

_articles: dict[str, Article] = {}
_articles_lock = threading.Lock()


def resolve_article(value: Any, base_dir: Path) -> Article:
    """`article` var: `file://path`, a path (relative to the suite, then the working directory),
    or the article's text inline (anything with a line break, or that names no file)."""
    if not isinstance(value, str) or not value.strip():
        raise InputError("must be a file path or the article's text")
    path: Path | None = None
    raw = value.strip()
    explicit = raw.startswith("file://")
    if explicit:
        raw = raw[len("file://") :]
    if explicit or ("\n" not in raw and len(raw) < 512):
        for candidate in (base_dir / raw, Path.cwd() / raw, Path(raw).expanduser()):
            if candidate.is_file():
                path = candidate.resolve()
                break
        if path is None and (explicit or Path(raw).suffix in (".txt", ".md", ".text")):
            raise InputError(f"{raw}: no such file")
    key = str(path) if path else "inline:" + hashlib.sha256(value.encode()).hexdigest()
    with _articles_lock:
        hit = _articles.get(key)
    if hit is not None:
        return hit
    article = load_article(path) if path else parse_article(value, "<inline article>")
    with _articles_lock:
        _articles[key] = article
    return article


# ---------------------------------------------------------------- running


def required_vars(task: str) -> tuple[str, ...]:
    """The vars a case of `task` must set."""
    return ("article", *get_task(task).required)


def run_task(
    task: str, article: Article, variables: dict[str, Any], llm: LLMClient, template: str
) -> TaskOutput:
    """Run `task` through its contract; `template` is the shipped one or a variant's path."""
    variant = None if template == f"{task}.j2" else template
    return get_task(task).run(article, llm, variables, variant)
