"""The semantic check of a summary's lines (`entailment.decide`, one short call per line on the
article prefix already read):

- a line in the model's own words that its sentences do not state is replaced by the best of
  them, verbatim (source "picked", `reason` says why), as a line that fails the lexical rule is;
- a line that states as fact what the article only reports someone saying keeps its source
  ("According to Dr Scissors, ..."), whoever wrote it. A line quoted from the article needs no
  model to be true to it, but a quotation that runs on from an earlier sentence loses its
  speaker when it is lifted out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsdesk.article import Article
from newsdesk.attribution import sources_of, unattributed, with_attribution
from newsdesk.citations import resolve
from newsdesk.entailment import Claim, decide
from newsdesk.tasks.summarize.ranking import clean_text
from newsdesk.tasks.summarize.results import SummaryResult
from newsdesk.tasks.verify import verify

if TYPE_CHECKING:
    from newsdesk.llm.client import LLMClient


def check_lines(article: Article, llm: LLMClient, result: SummaryResult) -> None:
    """Read the model's own lines against their sentences, and attribute every line (in place)."""
    table = sources_of(article)
    worded = [ln for ln in result.lines if ln.source == "model" and ln.supported and ln.citations]
    readings = verify(
        article, [Claim(ln.text, tuple(ln.ids)) for ln in worded], llm, notes=result.notes
    )
    for line, reading in zip(worded, readings, strict=True):
        verdict = decide(line.text, None, reading, table, fallback_ids=line.ids, attributed_ok=True)
        if verdict.supported:
            continue
        best = article.by_id[line.ids[0]]
        line.reason = f"the model's line was {verdict.reason}: {line.text}"
        line.text = clean_text(best.text)
        line.citations = resolve([best.id], article)
        line.source = "picked"
    for line in result.lines:
        if not line.supported:
            continue
        other = unattributed(line.text, [table[i] for i in line.ids if i in table])
        if other is not None:
            line.text = with_attribution(line.text, other)
            line.attributed_to = other
