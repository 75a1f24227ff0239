"""The HTML briefing: one self-contained page from prompts/brief.html.j2, rendered in the
autoescaping environment (`render.html`)."""

from __future__ import annotations

from dataclasses import dataclass

from newsdesk.render.html import html_environment
from newsdesk.render.terminal import footer
from newsdesk.tasks.brief.results import ArticleBrief, ArticleSentence, Briefing


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
