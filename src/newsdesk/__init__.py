"""newsdesk: answers for a news article, every line tied to the article's own sentences.

The public API, for notebooks and scripts (the CLI is a thin layer over the same calls):

    from newsdesk import LLMClient, ask, load_article, load_settings

    article = load_article("article.txt")
    llm = LLMClient(load_settings())  # no key and no base URL: the embedded model
    result = ask(article, "What did Xi agree to?", llm)
    print(result.answer, [c.id for c in result.citations])

Names are imported on first use (PEP 562), so `import newsdesk` stays as cheap as the CLI's
`--help` needs; type checkers see the real imports below. `__all__` is computed on first use
too: it holds every registered task's names (`tasks.registry`), plugins' included.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> the module that defines it: the core. Each task adds its own names (`Task.exports`,
# from the module the registry names), so a new task needs no line here.
_CORE: dict[str, str] = {
    "Article": "newsdesk.article",
    "Sentence": "newsdesk.article",
    "load_article": "newsdesk.article",
    "parse_article": "newsdesk.article",
    "Settings": "newsdesk.config",
    "load_settings": "newsdesk.config",
    "LLMClient": "newsdesk.llm.client",
    "Usage": "newsdesk.llm.usage",
    "Citation": "newsdesk.citations",
    "Source": "newsdesk.attribution",
    "sources": "newsdesk.attribution",
    "NewsdeskError": "newsdesk.errors",
    "InputError": "newsdesk.errors",
    "ConfigError": "newsdesk.errors",
    "LLMError": "newsdesk.errors",
    "ModelOutputError": "newsdesk.errors",
}

if TYPE_CHECKING:  # `X as X`: re-exported, for type checkers
    from newsdesk.article import Article as Article
    from newsdesk.article import Sentence as Sentence
    from newsdesk.article import load_article as load_article
    from newsdesk.article import parse_article as parse_article
    from newsdesk.attribution import Source as Source
    from newsdesk.attribution import sources as sources
    from newsdesk.citations import Citation as Citation
    from newsdesk.config import Settings as Settings
    from newsdesk.config import load_settings as load_settings
    from newsdesk.errors import ConfigError as ConfigError
    from newsdesk.errors import InputError as InputError
    from newsdesk.errors import LLMError as LLMError
    from newsdesk.errors import ModelOutputError as ModelOutputError
    from newsdesk.errors import NewsdeskError as NewsdeskError
    from newsdesk.llm.client import LLMClient as LLMClient
    from newsdesk.llm.usage import Usage as Usage
    from newsdesk.tasks.ask import AskResult as AskResult
    from newsdesk.tasks.ask import ask as ask
    from newsdesk.tasks.brief import ArticleBrief as ArticleBrief
    from newsdesk.tasks.brief import Briefing as Briefing
    from newsdesk.tasks.brief import Statement as Statement
    from newsdesk.tasks.brief import brief as brief
    from newsdesk.tasks.check import CheckedSentence as CheckedSentence
    from newsdesk.tasks.check import CheckResult as CheckResult
    from newsdesk.tasks.check import check as check
    from newsdesk.tasks.stance import Party as Party
    from newsdesk.tasks.stance import StanceResult as StanceResult
    from newsdesk.tasks.stance import analyse_stance as analyse_stance
    from newsdesk.tasks.summarize import SummaryLine as SummaryLine
    from newsdesk.tasks.summarize import SummaryResult as SummaryResult
    from newsdesk.tasks.summarize import summarize as summarize


def _exports() -> dict[str, str]:
    """Every public name -> its module: the core, then each registered task's."""
    from newsdesk.tasks import registry  # here, not at the top: see the docstring

    found = dict(_CORE)
    for name, entry in registry.entries().items():
        found.update(dict.fromkeys(registry.get_task(name).exports, entry.module))
    return found


def __getattr__(name: str) -> Any:
    if name == "__all__":  # computed on first use: it names every registered task's exports
        value: Any = sorted([*_exports(), "__version__"])
    elif name in _CORE or find_spec(f"newsdesk.{name}") is None:  # a submodule: not ours to load
        module = _CORE.get(name) or _exports().get(name)
        if module is None:
            raise AttributeError(f"module 'newsdesk' has no attribute {name!r}")
        value = getattr(import_module(module), name)
    else:
        raise AttributeError(f"module 'newsdesk' has no attribute {name!r}")
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_CORE, "__version__"})
