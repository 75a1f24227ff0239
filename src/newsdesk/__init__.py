"""newsdesk: answers for a news article, every line tied to the article's own sentences.

The public API, for notebooks and scripts (the CLI is a thin layer over the same calls):

    from newsdesk import LLMClient, ask, load_article, load_settings

    article = load_article("article.txt")
    llm = LLMClient(load_settings())  # no key and no base URL: the embedded model
    result = ask(article, "What did Xi agree to?", llm)
    print(result.answer, [c.id for c in result.citations])

Names are imported on first use (PEP 562), so `import newsdesk` stays as cheap as the CLI's
`--help` needs; type checkers see the real imports below.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> the module that defines it
_EXPORTS: dict[str, str] = {
    "Article": "newsdesk.article",
    "Sentence": "newsdesk.article",
    "load_article": "newsdesk.article",
    "parse_article": "newsdesk.article",
    "Settings": "newsdesk.config",
    "load_settings": "newsdesk.config",
    "LLMClient": "newsdesk.llm.client",
    "Usage": "newsdesk.llm.usage",
    "Citation": "newsdesk.citations",
    "ask": "newsdesk.tasks.ask",
    "AskResult": "newsdesk.tasks.ask",
    "summarize": "newsdesk.tasks.summarize",
    "SummaryResult": "newsdesk.tasks.summarize",
    "SummaryLine": "newsdesk.tasks.summarize",
    "analyse_stance": "newsdesk.tasks.stance",
    "StanceResult": "newsdesk.tasks.stance",
    "Party": "newsdesk.tasks.stance",
    "brief": "newsdesk.tasks.brief",
    "Briefing": "newsdesk.tasks.brief",
    "ArticleBrief": "newsdesk.tasks.brief",
    "Statement": "newsdesk.tasks.brief",
    "check": "newsdesk.tasks.check",
    "CheckResult": "newsdesk.tasks.check",
    "CheckedSentence": "newsdesk.tasks.check",
    "Source": "newsdesk.attribution",
    "sources": "newsdesk.attribution",
    "NewsdeskError": "newsdesk.errors",
    "InputError": "newsdesk.errors",
    "ConfigError": "newsdesk.errors",
    "LLMError": "newsdesk.errors",
    "ModelOutputError": "newsdesk.errors",
}

__all__ = [
    "Article",
    "ArticleBrief",
    "AskResult",
    "Briefing",
    "CheckResult",
    "CheckedSentence",
    "Citation",
    "ConfigError",
    "InputError",
    "LLMClient",
    "LLMError",
    "ModelOutputError",
    "NewsdeskError",
    "Party",
    "Sentence",
    "Settings",
    "Source",
    "StanceResult",
    "Statement",
    "SummaryLine",
    "SummaryResult",
    "Usage",
    "__version__",
    "analyse_stance",
    "ask",
    "brief",
    "check",
    "load_article",
    "load_settings",
    "parse_article",
    "sources",
    "summarize",
]

if TYPE_CHECKING:
    from newsdesk.article import Article, Sentence, load_article, parse_article
    from newsdesk.attribution import Source, sources
    from newsdesk.citations import Citation
    from newsdesk.config import Settings, load_settings
    from newsdesk.errors import ConfigError, InputError, LLMError, ModelOutputError, NewsdeskError
    from newsdesk.llm.client import LLMClient
    from newsdesk.llm.usage import Usage
    from newsdesk.tasks.ask import AskResult, ask
    from newsdesk.tasks.brief import ArticleBrief, Briefing, Statement, brief
    from newsdesk.tasks.check import CheckedSentence, CheckResult, check
    from newsdesk.tasks.stance import Party, StanceResult, analyse_stance
    from newsdesk.tasks.summarize import SummaryLine, SummaryResult, summarize


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'newsdesk' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
