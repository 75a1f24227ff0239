"""Tasks as small adapters: (article, vars, client, template) -> TaskOutput.

Each adapter calls the real newsdesk task (the same code path as the CLI) and returns the text
assertions see as `output`, plus the context newsdesk's own assertions need: the result as a
dict, citations, dropped ids, whether the answer abstained, the parties found.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsdesk.article import Article, load_article, parse_article
from newsdesk.citations import Citation
from newsdesk.errors import ConfigError, InputError
from newsdesk.llm.client import LLMClient

REQUIRED_VARS: dict[str, tuple[str, ...]] = {
    "ask": ("article", "question"),
    "summarize": ("article",),
    "stance": ("article",),
    "brief": ("article",),
}


@dataclass
class TaskOutput:
    output: str
    article: Article | None  # None: the user's own prompt (no article, no citations)
    result: dict[str, Any] = field(default_factory=dict)
    citations: list[Citation] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # ids the task discarded, for any reason
    invalid: list[str] = field(default_factory=list)  # ids that were not real, shown sentences
    abstained: bool | None = None  # None: the task has no notion of abstaining
    parties: list[dict[str, Any]] | None = None


Adapter = Callable[[Article, dict[str, Any], LLMClient, str], TaskOutput]

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


# ---------------------------------------------------------------- adapters


def _call(fn: Callable[..., Any], task: str, template: str, *args: Any, **kwargs: Any) -> Any:
    """Call a task function, passing `template=` only when it is a variant."""
    if template != f"{task}.j2":
        if "template" not in inspect.signature(fn).parameters:
            raise ConfigError(f"task {task!r} does not take template variants yet")
        kwargs["template"] = template
    return fn(*args, **kwargs)


def _ask(article: Article, variables: dict[str, Any], llm: LLMClient, template: str) -> TaskOutput:
    from newsdesk.tasks.ask import ask

    result = _call(ask, "ask", template, article, str(variables["question"]), llm)
    # A non-answer's citations are discarded even when they are real ids: only unknown ids
    # count as invalid there (the schema already limits ids to the sentences shown).
    invalid = (
        list(result.dropped)
        if result.answerable
        else [i for i in result.dropped if i not in article.by_id]
    )
    return TaskOutput(
        output=result.answer,
        article=article,
        result=result.to_dict(),
        citations=list(result.citations),
        dropped=list(result.dropped),
        invalid=invalid,
        abstained=not result.answerable,
    )


def _generic(task: str, result: Any, article: Article, text: str | None = None) -> TaskOutput:
    data: dict[str, Any] = result.to_dict() if hasattr(result, "to_dict") else {}
    citations: list[Citation] = []
    for c in getattr(result, "citations", None) or []:
        if isinstance(c, Citation):
            citations.append(c)
    dropped = list(getattr(result, "dropped", None) or data.get("dropped_citations") or [])
    parties = data.get("parties") if isinstance(data.get("parties"), list) else None
    if text is None:
        text = json.dumps(data, ensure_ascii=False)
    return TaskOutput(
        output=text,
        article=article,
        result=data,
        citations=citations,
        dropped=dropped,
        invalid=dropped,
        parties=parties,
    )


def _summarize(
    article: Article, variables: dict[str, Any], llm: LLMClient, template: str
) -> TaskOutput:
    """Output: the summary's lines, one per line; citations: every line's cited sentences."""
    from newsdesk.tasks import summarize as mod

    args: list[Any] = [article, llm]
    if variables.get("length"):
        args.append(str(variables["length"]))
    result = _call(mod.summarize, "summarize", template, *args)
    lines = list(getattr(result, "lines", []) or [])
    out = _generic("summarize", result, article, "\n".join(str(line.text) for line in lines))
    cited: dict[str, Citation] = {}
    invalid: list[str] = []
    for line in lines:
        for c in getattr(line, "citations", []) or []:
            cited.setdefault(c.id, c)
        invalid += [i for i in getattr(line, "dropped", []) or [] if i not in invalid]
    out.citations = sorted(cited.values(), key=lambda c: int(c.id[1:]))
    out.invalid = invalid
    return out


def _stance(
    article: Article, variables: dict[str, Any], llm: LLMClient, template: str
) -> TaskOutput:
    """Output: the stance result as JSON. Parties: those analysed plus the others found."""
    from newsdesk.tasks import stance as mod

    kwargs: dict[str, Any] = {}
    if variables.get("party"):
        kwargs["party"] = str(variables["party"])
    if variables.get("max_parties"):
        kwargs["max_parties"] = int(variables["max_parties"])
    result = _call(mod.analyse_stance, "stance", template, article, llm, **kwargs)
    out = _generic("stance", result, article)
    out.parties = [p.to_dict() for p in [*result.parties, *result.others]]
    cited = {c.id: c for p in result.parties for c in p.evidence}
    out.citations = sorted(cited.values(), key=lambda c: int(c.id[1:]))
    return out


def _brief(
    article: Article, variables: dict[str, Any], llm: LLMClient, template: str
) -> TaskOutput:
    """Output: the one-article briefing as JSON; citations: every sentence it cites."""
    from newsdesk.citations import resolve
    from newsdesk.tasks import brief as mod

    result = _call(mod.brief, "brief", template, [article], llm)
    out = _generic("brief", result, article)
    ids: set[str] = set()
    for a in result.articles:
        ids |= set(a.cited_ids())
    out.citations = resolve(ids, article)
    out.invalid = [i for i in ids if i not in article.by_id]
    out.parties = [p.to_dict() for a in result.articles for p in a.parties]
    return out


ADAPTERS: dict[str, Adapter] = {
    "ask": _ask,
    "summarize": _summarize,
    "stance": _stance,
    "brief": _brief,
}


def available(task: str) -> bool:
    """Whether this checkout has the task's module (summaries/stance land separately)."""
    if task not in ADAPTERS:
        return False
    import importlib.util

    return importlib.util.find_spec(f"newsdesk.tasks.{task}") is not None


_ENTRY = {"ask": "ask", "summarize": "summarize", "stance": "analyse_stance", "brief": "brief"}


def supports_variants(task: str) -> bool:
    """Whether the task's function takes `template=` (needed to run a variant template)."""
    import importlib

    fn = getattr(importlib.import_module(f"newsdesk.tasks.{task}"), _ENTRY[task], None)
    return fn is not None and "template" in inspect.signature(fn).parameters


def run_task(
    task: str, article: Article, variables: dict[str, Any], llm: LLMClient, template: str
) -> TaskOutput:
    if not available(task):
        raise ConfigError(f"task {task!r} is not available in this version of newsdesk")
    return ADAPTERS[task](article, variables, llm, template)
