"""The semantic check of a briefing's statements in the model's words (the headline, the key
points, the parties' positions): each is read against its cited sentences (`tasks.verify`, one
short call per statement, on the article prefix the briefing's calls already read). A statement
its sentences do not state, or that states as fact what the article only reports someone
saying, gives way to its first cited sentence, verbatim (origin "extract"); its text goes to
`rejected_statements` and a note says why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsdesk.article import Article, Sentence
from newsdesk.attribution import sources_of
from newsdesk.entailment import Claim, decide
from newsdesk.tasks.brief.results import ArticleBrief, Statement
from newsdesk.tasks.verify import verify

if TYPE_CHECKING:
    from newsdesk.llm.client import LLMClient


def _worded(brief: ArticleBrief) -> list[Statement]:
    """The statements in the model's own words that cite something."""
    candidates = [brief.headline, *brief.points, *(p.position for p in brief.parties)]
    return [st for st in candidates if st.origin == "model" and st.citations and not st.verbatim]


def check_statements(
    article: Article, llm: LLMClient, brief: ArticleBrief, shown: list[Sentence]
) -> None:
    """Read the model's statements against their sentences; replace those that fail (in place)."""
    table = sources_of(article)
    worded = _worded(brief)
    claims = [Claim(st.text, tuple(c.id for c in st.citations)) for st in worded]
    notes: list[str] = []
    readings = verify(article, claims, llm, shown, notes)
    brief.notes.extend(dict.fromkeys(notes))
    for st, claim, reading in zip(worded, claims, readings, strict=True):
        verdict = decide(st.text, None, reading, table, fallback_ids=claim.cited)
        if verdict.supported:
            continue
        first = st.citations[0]
        brief.dropped.append(st.text)
        brief.notes.append(
            f"{verdict.reason}: {st.text!r}; the article's words ({first.id}) instead"
        )
        st.text, st.origin, st.citations = first.text, "extract", [first]
