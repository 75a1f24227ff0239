"""The model's answers made into briefing statements (pure: no model, no I/O).

Everything the model writes passes the one grounding check (`grounding.ground`): a statement
must rest on sentences that were shown, its citations are corrected to the sentences whose
words it uses, and one that fails is replaced by the article's own words with their own id
(marked `extract`) or by what the rules find, so a small model's copied or invented text is
never printed as fact. `rejected` collects the model's texts that were not printed.
"""

from __future__ import annotations

import re

from newsdesk.article import Article, Sentence
from newsdesk.citations import check_ids
from newsdesk.grounding import Grounded, content_words, ground
from newsdesk.parties import PartyCandidate
from newsdesk.tasks.brief.outputs import (
    MAX_POINTS,
    N_QUESTIONS,
    DebateOut,
    PartiesOut,
    PointsOut,
    SynthesisOut,
)
from newsdesk.tasks.brief.results import (
    ArticleBrief,
    PartyView,
    Ref,
    Statement,
    Synthesis,
    Unknown,
    article_sentences,
    refs,
)
from newsdesk.tasks.brief.rules import (
    POSITION_VERB,
    copies_example,
    disagreement_sentences,
    fallback_questions,
    find_unknowns,
)

MAX_DISAGREEMENTS = 3


def _clean(text: str) -> str:
    return " ".join(text.split()).strip()


def _check_claim(
    text: str, ids: list[str], article: Article, shown: list[str], min_cites: int = 1
) -> Grounded | None:
    """The claim with its ids corrected (`grounding.ground`, fallback "replace": an unsupported
    claim becomes the shown sentence that best covers it, verbatim), or None when it is copied
    from the worked example, unsupported, or left with fewer than `min_cites` ids."""
    text = _clean(text)
    if not text or copies_example(text, article):
        return None
    verdict = ground(text, ids, article, shown, fallback="replace")
    if not verdict.supported or len(verdict.ids) < min_cites:
        return None
    return verdict


def _shorten(text: str, words: int = 14) -> str:
    parts = text.split()
    return text if len(parts) <= words else " ".join(parts[:words]) + "…"


def _dateline_free(text: str) -> str:
    """'WASHINGTON/NEW YORK • The US and...' -> 'The US and...'."""
    return re.sub(r"^[A-Z][A-Z/ ,.'-]{2,}\s*[•—–-]\s*", "", text)


def _extract(text: str, ids: list[str], article: Article, index: int) -> Statement:
    """The article's own words (`text`), citing the sentences they come from."""
    return Statement(text=text, citations=refs(ids, article, index), origin="extract")


def interpret_points(
    out: PointsOut | None, article: Article, shown: list[str], index: int, rejected: list[str]
) -> tuple[Statement, list[Statement]]:
    points: list[Statement] = []
    used: set[str] = set()
    for p in out.points if out else []:
        ok = _check_claim(p.text, p.cites, article, shown)
        valid = check_ids(p.cites, article, shown).valid
        if ok and ok.status == "replaced":  # the article's own words, with their own id
            rejected.append(p.text)
            st = _extract(ok.text, list(ok.ids), article, index)
        elif ok:
            st = Statement(text=ok.text, citations=refs(list(ok.ids), article, index))
        elif valid:
            rejected.append(p.text)
            st = _extract(article.by_id[valid[0]].text, valid[:1], article, index)
        else:
            rejected.append(p.text)
            continue
        key = ",".join(c.id for c in st.citations)
        if key in used or any(st.text == q.text for q in points):
            continue
        used.add(key)
        points.append(st)
    # Too few: the article's lead sentences (a news article says what matters first).
    for s in article.sentences:
        if len(points) >= 3 or s.id not in shown:
            break
        if not any(s.id in {c.id for c in q.citations} for q in points):
            points.append(_extract(s.text, [s.id], article, index))
    points.sort(key=lambda st: article.by_id[st.citations[0].id].index)
    headline_text = _clean(out.headline) if out else ""
    # A headline rests on the lead and the key points' sentences.
    lead = [s.id for s in article.sentences[:3]] + [c.id for p in points for c in p.citations]
    verdict = ground(headline_text, lead, article, lead)
    if headline_text and not copies_example(headline_text, article) and verdict.supported:
        headline = Statement(text=headline_text, citations=refs(list(verdict.ids), article, index))
    else:
        if headline_text:
            rejected.append(headline_text)
        first = article.sentences[0]
        headline = _extract(_shorten(_dateline_free(first.text)), [first.id], article, index)
    return headline, points[:MAX_POINTS]


def interpret_parties(
    out: PartiesOut | None,
    candidates: list[PartyCandidate],
    article: Article,
    shown: list[str],
    index: int,
    rejected: list[str],
) -> list[PartyView]:
    by_name = {p.name: p for p in out.parties} if out else {}
    views: list[PartyView] = []
    for cand in candidates:
        own = [i for i in cand.sentence_ids if i in shown] or list(cand.sentence_ids)
        got = by_name.get(cand.name)
        position: Statement | None = None
        if got is not None:
            text = _clean(got.position)
            # checked against the party's own sentences, its names aside
            names = " ".join([cand.name, *cand.aliases])
            verdict = ground(text, got.cites, article, own, ignore=names)
            if text and not copies_example(text, article) and verdict.supported:
                position = Statement(text=text, citations=refs(list(verdict.ids), article, index))
            elif text:
                rejected.append(text)
        if position is None:  # its own words, else a sentence that says what it does or wants
            spoken = [i for i in cand.spoken_ids if i in own]
            acting = [i for i in own if POSITION_VERB.search(article.by_id[i].text)]
            first = (spoken or acting or own)[0]
            position = _extract(article.by_id[first].text, [first], article, index)
        views.append(
            PartyView(
                name=cand.name,
                kind=cand.kind,
                role=cand.role,
                aliases=list(cand.aliases),
                speaks=bool(cand.spoken_ids),
                position=position,
            )
        )
    return views


def interpret_debate(
    out: DebateOut | None,
    article: Article,
    shown: list[str],
    index: int,
    parties: list[PartyView],
    unknowns: list[Unknown],
    rejected: list[str],
) -> tuple[list[Statement], list[Statement]]:
    disagreements: list[Statement] = []
    for d in out.disagreements if out else []:
        ok = _check_claim(d.text, d.cites, article, shown, min_cites=2)
        if ok:
            citations = refs(list(ok.ids), article, index)
            disagreements.append(Statement(text=ok.text, citations=citations))
        else:
            rejected.append(d.text)
    if not disagreements:  # by rule: sentences that say the sides differ, deny, downplay
        disagreements = disagreement_sentences(article, shown, index)
    questions: list[Statement] = []
    for q in out.questions if out else []:
        text = _clean(q)
        if (
            text.endswith("?")
            and content_words(text)
            and not copies_example(text, article)
            and text not in {x.text for x in questions}
        ):
            questions.append(Statement(text=text))
        elif text:
            rejected.append(text)
    for st in fallback_questions(parties, unknowns):
        if len(questions) >= N_QUESTIONS:
            break
        questions.append(st)
    return disagreements[:MAX_DISAGREEMENTS], questions[:N_QUESTIONS]


def interpret_article(
    article: Article,
    candidates: list[PartyCandidate],
    shown: list[str],
    index: int = 1,
    points: PointsOut | None = None,
    parties: PartiesOut | None = None,
    debate: DebateOut | None = None,
) -> ArticleBrief:
    """One article's briefing from the model's three answers (None: that part by rule only)."""
    rejected: list[str] = []
    headline, key_points = interpret_points(points, article, shown, index, rejected)
    views = interpret_parties(parties, candidates, article, shown, index, rejected)
    unknowns = find_unknowns(article, candidates, index)
    disagreements, questions = interpret_debate(
        debate, article, shown, index, views, unknowns, rejected
    )
    return ArticleBrief(
        index=index,
        source=article.source,
        headline=headline,
        points=key_points,
        parties=views,
        disagreements=disagreements,
        unknowns=unknowns,
        questions=questions,
        sentences=article_sentences(article),
        shown=shown,
        dropped=rejected,
    )


def interpret_synthesis(
    out: SynthesisOut | None, lines: dict[str, Ref], briefs: list[ArticleBrief]
) -> Synthesis:
    points: list[Statement] = []
    # The lines shown, as one pseudo-article (ids S1..Sn for the qualified A2:S5), so the
    # synthesis passes the same grounding check as everything else.
    qids = list(lines)
    pseudo = Article(
        text="\n".join(r.text for r in lines.values()),
        sentences=[
            Sentence(f"S{n}", n, lines[q].text, 0, 0, 0) for n, q in enumerate(qids, start=1)
        ],
        source="synthesis",
    )
    local = {q: f"S{n}" for n, q in enumerate(qids, start=1)}
    for p in out.points if out else []:
        text = _clean(p.text)
        cited = [local[i] for i in dict.fromkeys(p.cites) if i in local]
        if not cited or not text or copies_example(text, pseudo):
            continue
        verdict = ground(text, cited, pseudo)
        if verdict.supported:
            refs_ = [lines[qids[int(i[1:]) - 1]] for i in verdict.ids]
            points.append(Statement(text=text, citations=refs_))
    shared: list[Statement] = []
    seen: dict[str, list[Ref]] = {}
    for b in briefs:
        for party in b.parties:
            key = party.name.lower()
            if party.position.citations:
                seen.setdefault(key, []).append(party.position.citations[0])
    for b in briefs:
        for party in b.parties:
            key = party.name.lower()
            found = seen.get(key, [])
            if len({r.article for r in found}) > 1 and not any(
                s.text.startswith(party.name + " ") for s in shared
            ):
                arts = ", ".join(str(r.article) for r in found)
                text = f"{party.name} appears in articles {arts}."
                shared.append(Statement(text=text, citations=found, origin="rule"))
    return Synthesis(points=points, shared_parties=shared)
