"""The model's lines made trustworthy (pure: no call here).

A line keeps the model's wording only when `grounding.ground` finds it in the sentences it cites
(or re-cites it to the shown sentence whose words it copies); otherwise the line becomes the
best cited sentence itself, lightly cleaned. A line left with no valid citation is kept but
flagged unsupported. Lines short of the requested count are filled from the ranking; lines are
printed in article order.
"""

from __future__ import annotations

from newsdesk.article import Article
from newsdesk.citations import check_ids, resolve
from newsdesk.tasks.summarize.outputs import PicksOutput, SummaryLineOutput, SummaryOutput
from newsdesk.tasks.summarize.ranking import clean_text, grounded, line_count, rank_sentences
from newsdesk.tasks.summarize.results import SummaryLine, SummaryResult


def interpret(
    output: SummaryOutput | PicksOutput | None,
    shown_ids: list[str],
    article: Article,
    length: str,
    lines: int | None = None,
) -> SummaryResult:
    """A summary of `lines` lines (None: as many as `length` asks) from the sentences shown:
    grounded wording kept, the rest replaced by the cited sentence; lines without valid
    citations flagged; missing lines filled from the ranking. `output` None (no call, or the
    model failed twice) gives the extractive summary."""
    n = line_count(length) if lines is None else lines
    shown = [article.by_id[i] for i in shown_ids]
    rank = {s.id: r for r, s in enumerate(rank_sentences(article, shown))}
    out: list[SummaryLine] = []
    used: set[str] = set()
    for raw in output.lines[:n] if output is not None else []:
        check = check_ids(raw.ids, article, shown_ids)
        text = " ".join(raw.text.split()) if isinstance(raw, SummaryLineOutput) else ""
        if not check.valid:
            if text:
                out.append(SummaryLine(text=text, dropped=check.dropped, supported=False))
            continue
        sources = [article.by_id[i] for i in check.valid]
        verdict = grounded(text, check.valid, article, shown_ids)
        if verdict is not None:
            if used.issuperset(verdict.ids):
                continue  # says again what an earlier line already cites
            cited = resolve(verdict.ids, article)
            out.append(SummaryLine(text=text, citations=cited, dropped=check.dropped))
            used.update(verdict.ids)
            continue
        best = min(sources, key=lambda s: rank.get(s.id, len(rank) + s.index))
        if best.id in used:
            continue
        out.append(
            SummaryLine(
                text=clean_text(best.text),
                citations=resolve([best.id], article),
                dropped=check.dropped,
                source="picked",
            )
        )
        used.add(best.id)
    for s in sorted(shown, key=lambda s: rank.get(s.id, len(rank) + s.index)):
        if len(out) >= n:
            break
        if s.id in used or s.id not in rank:
            continue
        cited = resolve([s.id], article)
        out.append(SummaryLine(text=clean_text(s.text), citations=cited, source="extract"))
        used.add(s.id)

    def position(line: SummaryLine) -> int:
        return line.citations[0].start if line.citations else len(article.text)

    out.sort(key=position)
    return SummaryResult(length=length, lines=out, central=out[0].text if out else None)
