"""The HTML briefing: one self-contained page from prompts/brief.html.j2.

The Jinja environment here has autoescape ON (unlike the prompt environment): every piece of
article text and model output is HTML-escaped, and the page carries a Content-Security-Policy
that forbids scripts and external loads even if something slipped through.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from newsdesk.tasks.brief import ArticleBrief, ArticleSentence, Briefing

if TYPE_CHECKING:
    import jinja2


@lru_cache(maxsize=1)
def html_environment() -> jinja2.Environment:
    import jinja2

    from newsdesk.prompts import prompts_dir

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(prompts_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass
class _ArticleView:
    brief: ArticleBrief
    paragraphs: list[list[tuple[ArticleSentence, bool]]]
    several: bool

    def anchor(self, sid: str) -> str:
        return f"a{self.brief.index}-{sid}" if self.several else sid


def _view(b: ArticleBrief, several: bool) -> _ArticleView:
    cited = b.cited_ids()
    paragraphs: list[list[tuple[ArticleSentence, bool]]] = []
    last = None
    for s in b.sentences:
        if s.paragraph != last:
            paragraphs.append([])
            last = s.paragraph
        paragraphs[-1].append((s, s.id in cited))
    return _ArticleView(b, paragraphs, several)


def render_html(briefing: Briefing) -> str:
    from newsdesk.render.terminal import footer

    several = briefing.several
    if several:
        title = f"Briefing: {len(briefing.articles)} articles"
    else:
        title = briefing.articles[0].headline.text
    return (
        html_environment()
        .get_template("brief.html.j2")
        .render(
            title=title,
            model=briefing.model,
            several=several,
            articles=[_view(b, several) for b in briefing.articles],
            synthesis=briefing.synthesis,
            usage_line=footer(briefing.usage),
        )
    )
