"""`brief`'s result as its three file formats and on a terminal: Markdown (the `-o brief.md`
file and, rendered by rich, the terminal view), the HTML page (brief.html.j2 beside this file, in
the autoescaping environment of `render.html`) and JSON (one stable shape, with its JSON Schema).

Article text and model output are untrusted: Markdown metacharacters in them are escaped
(`render.markdown.md_escape`), HTML is autoescaped, and the page carries a strict CSP.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsdesk.render.html import html_environment
from newsdesk.render.markdown import md_escape
from newsdesk.render.terminal import footer
from newsdesk.tasks.brief.results import ArticleBrief, ArticleSentence, Briefing, Ref, Statement

# ---------------------------------------------------------------- markdown


def cite_label(refs: list[Ref], several: bool) -> str:
    if not refs:
        return ""
    return " \\[" + ", ".join(r.label(several) for r in refs) + "\\]"


def statement_md(st: Statement, several: bool) -> str:
    text = md_escape(st.text)
    if st.verbatim:  # the article's own sentence, word for word
        text = f"“{text}”"
    return text + cite_label(st.citations, several)


def _article_md(b: ArticleBrief, several: bool, level: int) -> list[str]:
    h = "#" * level
    out: list[str] = []
    if several:
        out += [f"{h} Article {b.index}: {md_escape(b.headline.text)}", ""]
    out += [f"*Source: {md_escape(b.source)}*" + cite_label(b.headline.citations, several), ""]
    out += [f"{h}# Key points", ""]
    out += [f"- {statement_md(p, several)}" for p in b.points] + [""]
    out += [f"{h}# Who is who and where they stand", ""]
    if not b.parties:
        out.append("- No party named.")
    for p in b.parties:
        role = f", {md_escape(p.role)}" if p.role else ""
        out.append(
            f"- **{md_escape(p.name)}** ({md_escape(p.kind)}{role}): "
            f"{statement_md(p.position, several)}"
        )
    out.append("")
    out += [f"{h}# Points of disagreement", ""]
    out += [f"- {statement_md(d, several)}" for d in b.disagreements] or [
        "- None found in the article."
    ]
    out.append("")
    out += [f"{h}# Unknown or unconfirmed", ""]
    out += [f"- *{md_escape(u.kind)}*: {statement_md(u.statement, several)}" for u in b.unknowns]
    if not b.unknowns:
        out.append("- Nothing flagged.")
    out.append("")
    out += [f"{h}# Questions to ask next", ""]
    out += [f"{i}. {statement_md(q, several)}" for i, q in enumerate(b.questions, 1)] + [""]
    # Statements in quotes are the article's sentences already; the model's own wording is
    # followed by the sentences it cites, verbatim, so a reader can check it.
    model_ids = {c.id for st in b.statements() if st.origin == "model" for c in st.citations}
    cited = sorted(model_ids, key=lambda i: int(i[1:]))
    if cited:
        out += [f"{h}# Sentences cited by the model's wording", ""]
        by_id = {s.id: s for s in b.sentences}
        label = (lambda i: f"A{b.index}:{i}") if several else (lambda i: i)
        for i in cited:
            who, text = md_escape(by_id[i].source.label), md_escape(by_id[i].text)
            out.append(f"- **\\[{label(i)}\\]** ({who}) {text}")
        out.append("")
    for note in b.notes:
        out += [f"*Note: {md_escape(note)}*", ""]
    return out


def render_markdown(briefing: Briefing) -> str:
    several = briefing.several
    if several:
        lines = [f"# Briefing: {len(briefing.articles)} articles", ""]
        for b in briefing.articles:
            lines += _article_md(b, several, 2)
        syn = briefing.synthesis
        lines += ["## Across the articles", ""]
        if syn is not None:
            lines += [f"- {statement_md(p, several)}" for p in syn.points]
            lines += [f"- {statement_md(p, several)}" for p in syn.shared_parties]
            if not syn.points and not syn.shared_parties:
                lines.append("- No common thread found.")
        lines.append("")
    else:
        b = briefing.articles[0]
        lines = [f"# {md_escape(b.headline.text)}", "", *_article_md(b, several, 1)]
    return "\n".join(lines).rstrip() + "\n"


# ---------------------------------------------------------------- html


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
        html_environment(Path(__file__).parent)
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


# ---------------------------------------------------------------- json


def briefing_json_schema() -> dict[str, Any]:
    """The JSON Schema of the output (field names as printed)."""
    return Briefing.json_schema()


def validate_briefing(data: dict[str, Any]) -> Briefing:
    """Raises pydantic.ValidationError when `data` does not follow the schema (unknown keys
    included)."""
    return Briefing.model_validate(data)


def render_json(briefing: Briefing) -> str:
    return json.dumps(briefing.to_dict(), ensure_ascii=False, indent=2) + "\n"
