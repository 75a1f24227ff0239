"""`brief`: a briefing on one or more articles, each statement tied to sentences a reader can check.

Per article, three model calls share one prompt prefix (a worked example, then the article) and
differ only in their last line, so the backend's prompt cache reuses the prefix: llama.cpp keeps
the KV cache of the shared tokens, OpenAI discounts a cached prefix. The calls give the headline
and key points, each party's position, and disagreements plus open questions. Who is who
(names, kinds, roles) and what is unknown or unconfirmed (claims only from unnamed sources,
denials, "gave no details") are found deterministically, without a model.

Everything the model writes passes the one grounding check (`grounding.ground`) in
`interpret_*` (pure functions): a statement must rest on sentences that were shown, its
citations are corrected to the sentences whose words it uses, and one that fails is replaced by
the article's own words with their own id (marked `extract`), so a small model's copied or
invented text is never printed as fact.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from newsdesk.article import Article, Sentence
from newsdesk.chunking import sentence_line
from newsdesk.citations import check_ids
from newsdesk.errors import ModelOutputError
from newsdesk.grounding import Grounded, content_words, ground
from newsdesk.llm.cache import cache_key
from newsdesk.llm.client import LLMClient, Message
from newsdesk.llm.usage import Usage, UsageLog
from newsdesk.parties import ANONYMOUS, PartyCandidate, find_parties
from newsdesk.prompts import messages_text, render, render_messages
from newsdesk.tokens import count_tokens

MAX_POINTS = 4
MAX_PARTIES = 6  # in "who is who" (found by rule)
MODEL_PARTIES = 4  # of which the model is asked for a position: generated tokens cost most
MAX_DISAGREEMENTS = 3
MAX_UNKNOWNS = 8
N_QUESTIONS = 3
MAX_TOKENS = {"points": 200, "parties": 200, "debate": 180, "synthesis": 200}

# Distinctive words of the worked example in prompts/brief_prefix-base.j2: a small model sometimes
# copies its answers. Text using one of them that the article itself does not use is a copy.
_EXAMPLE_WORDS = frozenset(
    content_words(
        """council budget mayor roe jane union bus services strike grant withhold taxes property
        transit workers debate promise tuesday anonymity"""
    )
)
_POSITION_VERB = re.compile(
    r"\b(said|says|say|told|added|argued|demand\w*|agreed|want\w*|expect\w*|urg\w*|oppos\w*"
    r"|support\w*|insist\w*|den(?:y|ied|ies)|downplay\w*|warn\w*|call\w* for|pledg\w*)\b",
    re.I,
)
MAX_PER_KIND = 4  # unknowns of one kind, so denials and withheld details are not crowded out

# Sentences that report something unconfirmed: denials, withheld details, doubts.
_DENIAL = re.compile(r"\b(denied|denies|deny|denying|rejected|dismissed|refuted)\b", re.I)
_UNCONFIRMED = re.compile(
    r"\b(gave no (?:further )?details|declined to (?:comment|say|confirm|elaborate)"
    r"|did not (?:respond|comment|confirm|say)|could not be (?:independently )?"
    r"(?:verified|confirmed)|not (?:yet )?(?:confirmed|clear)|unclear|unconfirmed|downplayed"
    r"|no \w+ (?:have|has) materiali[sz]ed|reportedly|allegedly)\b",
    re.I,
)
_ANON_PHRASE = re.compile(
    r"\b(sources? (?:familiar|close|said|say|told)|people familiar|person familiar"
    r"|on condition of anonymity|declined to be (?:named|identified)"
    r"|asked not to be (?:named|identified)|one of the sources)\b",
    re.I,
)
_DISAGREE = re.compile(
    r"\b(different (?:ideas|accounts|versions)|disagree\w*|dispute\w*|contradict\w*|denied"
    r"|denies|rejected|downplayed|at odds|differ\w*)\b",
    re.I,
)


# ---------------------------------------------------------------- what the model returns


class PointOut(BaseModel):
    cites: list[str] = Field(default_factory=list)
    text: str


class PointsOut(BaseModel):
    headline: str
    points: list[PointOut] = Field(default_factory=list)


class PartyOut(BaseModel):
    name: str
    position: str
    cites: list[str] = Field(default_factory=list)


class PartiesOut(BaseModel):
    parties: list[PartyOut] = Field(default_factory=list)


class ClaimOut(BaseModel):
    text: str
    cites: list[str] = Field(default_factory=list)


class DebateOut(BaseModel):
    disagreements: list[ClaimOut] = Field(default_factory=list)
    questions: list[str] = Field(default_factory=list)


class SynthesisOut(BaseModel):
    points: list[ClaimOut] = Field(default_factory=list)


def _cites(ids: list[str], max_items: int) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string", "enum": ids}, "maxItems": max_items}


def _object(props: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": props,
        "required": list(props),
        "additionalProperties": False,
    }


def points_schema(ids: list[str]) -> dict[str, Any]:
    point = _object({"cites": _cites(ids, 2), "text": {"type": "string"}})
    return _object(
        {
            "headline": {"type": "string"},
            "points": {"type": "array", "items": point, "minItems": 1, "maxItems": MAX_POINTS},
        }
    )


def parties_schema(ids: list[str], names: list[str]) -> dict[str, Any]:
    party = _object(
        {
            "name": {"type": "string", "enum": names},
            "position": {"type": "string"},
            "cites": _cites(ids, 2),
        }
    )
    return _object({"parties": {"type": "array", "items": party, "maxItems": len(names)}})


def debate_schema(ids: list[str]) -> dict[str, Any]:
    claim = _object({"text": {"type": "string"}, "cites": _cites(ids, 3)})
    return _object(
        {
            "disagreements": {"type": "array", "items": claim, "maxItems": 2},
            "questions": {
                "type": "array",
                "items": {"type": "string"},
                "minItems": N_QUESTIONS,
                "maxItems": N_QUESTIONS,
            },
        }
    )


def synthesis_schema(ids: list[str]) -> dict[str, Any]:
    claim = _object({"text": {"type": "string"}, "cites": _cites(ids, 3)})
    return _object({"points": {"type": "array", "items": claim, "minItems": 1, "maxItems": 3}})


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Ref:
    """A cited sentence: which article (1-based), its id, and the sentence verbatim."""

    article: int
    id: str
    text: str
    start: int
    end: int

    def anchor(self, several: bool) -> str:
        return f"a{self.article}-{self.id}" if several else self.id

    def label(self, several: bool) -> str:
        return f"A{self.article}:{self.id}" if several else self.id

    def to_dict(self) -> dict[str, object]:
        return {
            "article": self.article,
            "id": self.id,
            "text": self.text,
            "start": self.start,
            "end": self.end,
        }


@dataclass
class Statement:
    """One line of the briefing. `origin`: "model" (passed the grounding check), "extract" (the
    cited sentence itself, where the model's text failed the check), or "rule" (found without a
    model)."""

    text: str
    citations: list[Ref] = field(default_factory=list)
    origin: str = "model"

    @property
    def verbatim(self) -> bool:
        """The text is a cited sentence of the article, word for word (print it as a quote)."""
        return any(self.text == c.text for c in self.citations)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "origin": self.origin,
            "citations": [c.to_dict() for c in self.citations],
        }


@dataclass
class PartyView:
    name: str
    kind: str
    role: str
    aliases: list[str]
    position: Statement
    speaks: bool  # quoted or paraphrased as the speaker somewhere in the article

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "role": self.role,
            "aliases": self.aliases,
            "speaks": self.speaks,
            "position": self.position.to_dict(),
        }


@dataclass
class Unknown:
    kind: str  # "anonymous source" | "denial" | "unconfirmed"
    statement: Statement

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **self.statement.to_dict()}


@dataclass
class ArticleBrief:
    index: int  # 1-based
    source: str
    headline: Statement
    points: list[Statement]
    parties: list[PartyView]
    disagreements: list[Statement]
    unknowns: list[Unknown]
    questions: list[Statement]
    sentences: list[Sentence]  # the whole article, for the text shown under an HTML briefing
    shown: list[str]  # ids the model saw
    dropped: list[str] = field(default_factory=list)  # statements that failed the check
    notes: list[str] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)

    def cited_ids(self) -> set[str]:
        out: set[str] = set()
        for st in self.statements():
            out.update(c.id for c in st.citations)
        return out

    def statements(self) -> list[Statement]:
        return [
            self.headline,
            *self.points,
            *(p.position for p in self.parties),
            *self.disagreements,
            *(u.statement for u in self.unknowns),
            *self.questions,
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "source": self.source,
            "headline": self.headline.to_dict(),
            "key_points": [p.to_dict() for p in self.points],
            "parties": [p.to_dict() for p in self.parties],
            "disagreements": [d.to_dict() for d in self.disagreements],
            "unknowns": [u.to_dict() for u in self.unknowns],
            "questions": [q.to_dict() for q in self.questions],
            "sentences": [
                {
                    "id": s.id,
                    "text": s.text,
                    "start": s.start,
                    "end": s.end,
                    "paragraph": s.paragraph,
                }
                for s in self.sentences
            ],
            "shown_ids": self.shown,
            "rejected_statements": self.dropped,
            "notes": self.notes,
            "usage": self.usage.to_dict(),
        }


@dataclass
class Synthesis:
    points: list[Statement]
    shared_parties: list[Statement]  # parties that more than one article names

    def to_dict(self) -> dict[str, Any]:
        return {
            "points": [p.to_dict() for p in self.points],
            "shared_parties": [p.to_dict() for p in self.shared_parties],
        }


@dataclass
class Briefing:
    articles: list[ArticleBrief]
    synthesis: Synthesis | None
    model: str
    usage: Usage = field(default_factory=Usage)

    @property
    def several(self) -> bool:
        return len(self.articles) > 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": "newsdesk.brief/1",
            "model": self.model,
            "articles": [a.to_dict() for a in self.articles],
            "synthesis": self.synthesis.to_dict() if self.synthesis else None,
            "usage": self.usage.to_dict(),
        }


# ---------------------------------------------------------------- grounding (pure)


def _copies_example(text: str, article: Article | None = None) -> bool:
    """`text` uses a word of the worked example that the article does not use."""
    used = content_words(text) & _EXAMPLE_WORDS
    if not used:
        return False
    if article is None:
        return True
    return bool(used - content_words(article.text))


def refs(ids: list[str], article: Article, index: int) -> list[Ref]:
    chosen = sorted(
        (article.by_id[i] for i in set(ids) if i in article.by_id), key=lambda s: s.index
    )
    return [Ref(index, s.id, s.text, s.start, s.end) for s in chosen]


def _clean(text: str) -> str:
    return " ".join(text.split()).strip()


def _check_claim(
    text: str, ids: list[str], article: Article, shown: list[str], min_cites: int = 1
) -> Grounded | None:
    """The claim with its ids corrected (`grounding.ground`, fallback "replace": an unsupported
    claim becomes the shown sentence that best covers it, verbatim), or None when it is copied
    from the worked example, unsupported, or left with fewer than `min_cites` ids."""
    text = _clean(text)
    if not text or _copies_example(text, article):
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


# ---------------------------------------------------------------- prompts


@dataclass
class BriefPrompt:
    name: str
    messages: list[Message]
    schema: dict[str, Any]
    tokens: int
    max_tokens: int


def shown_sentences(article: Article, budget: int, model: str | None = None) -> list[Sentence]:
    """The whole article when it fits the budget, else its lead: one selection for every call,
    so all of them share the same prefix (news puts what matters first)."""
    out: list[Sentence] = []
    total = 0
    for s in article.sentences:
        cost = count_tokens(sentence_line(s), model) + 1
        if out and total + cost > budget:
            break
        out.append(s)
        total += cost
    return out


def party_candidates(article: Article) -> list[PartyCandidate]:
    return find_parties(article)[:MAX_PARTIES]


def build_prompts(
    article: Article, budget: int, model: str | None = None, small: bool = False
) -> tuple[list[Sentence], list[PartyCandidate], list[BriefPrompt]]:
    """The calls for one article: instruct templates (system + user turns), or for the 270M
    base model (`Settings.small_model`) its example-first `-base` templates."""
    shown = shown_sentences(article, budget, model)
    ids = [s.id for s in shown]
    parties = party_candidates(article)
    names = [p.name for p in parties[:MODEL_PARTIES]]
    made: list[BriefPrompt] = []
    specs: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
        ("points", "brief_points.j2", points_schema(ids), {}),
        ("debate", "brief_debate.j2", debate_schema(ids), {}),
    ]
    if names:
        specs.insert(
            1, ("parties", "brief_parties.j2", parties_schema(ids, names), {"parties": names})
        )
    for name, template, schema, extra in specs:
        if small:
            template = template.replace(".j2", "-base.j2")
        messages = render_messages(template, sentences=shown, **extra)
        text = messages_text(messages)
        made.append(
            BriefPrompt(name, messages, schema, count_tokens(text, model), MAX_TOKENS[name])
        )
    return shown, parties, made


# ---------------------------------------------------------------- interpretation (pure)


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
            st = Statement(ok.text, refs(list(ok.ids), article, index), "extract")
        elif ok:
            st = Statement(ok.text, refs(list(ok.ids), article, index), "model")
        elif valid:
            rejected.append(p.text)
            st = Statement(article.by_id[valid[0]].text, refs(valid[:1], article, index), "extract")
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
            points.append(Statement(s.text, refs([s.id], article, index), "extract"))
    points.sort(key=lambda st: article.by_id[st.citations[0].id].index)
    headline_text = _clean(out.headline) if out else ""
    # A headline rests on the lead and the key points' sentences.
    lead = [s.id for s in article.sentences[:3]] + [c.id for p in points for c in p.citations]
    verdict = ground(headline_text, lead, article, lead)
    if headline_text and not _copies_example(headline_text, article) and verdict.supported:
        headline = Statement(headline_text, refs(list(verdict.ids), article, index), "model")
    else:
        if headline_text:
            rejected.append(headline_text)
        first = article.sentences[0]
        headline = Statement(
            _shorten(_dateline_free(first.text)), refs([first.id], article, index), "extract"
        )
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
        role = cand.role
        if got is not None:
            text = _clean(got.position)
            # checked against the party's own sentences, its names aside
            names = " ".join([cand.name, *cand.aliases])
            verdict = ground(text, got.cites, article, own, ignore=names)
            if text and not _copies_example(text, article) and verdict.supported:
                position = Statement(text, refs(list(verdict.ids), article, index), "model")
            elif text:
                rejected.append(text)
        if position is None:  # its own words, else a sentence that says what it does or wants
            spoken = [i for i in cand.spoken_ids if i in own]
            acting = [i for i in own if _POSITION_VERB.search(article.by_id[i].text)]
            first = (spoken or acting or own)[0]
            position = Statement(
                article.by_id[first].text, refs([first], article, index), "extract"
            )
        views.append(
            PartyView(
                cand.name, cand.kind, role, list(cand.aliases), position, bool(cand.spoken_ids)
            )
        )
    return views


def find_unknowns(article: Article, candidates: list[PartyCandidate], index: int) -> list[Unknown]:
    """Claims resting only on unnamed sources, denials, withheld details: found by rule.

    At most MAX_PER_KIND of each kind; unnamed sources the article leans on most (most
    mentioned) come first, then the result is put back in article order.
    """
    rank: dict[str, int] = {}  # sentence id -> rank of the unnamed source speaking in it
    parties = find_parties(article)
    for r, p in enumerate(parties):
        if p.kind == ANONYMOUS:
            for i in p.spoken_ids:
                rank.setdefault(i, r)
    found: list[tuple[str, int, Sentence]] = []
    for s in article.sentences:
        if s.id in rank or _ANON_PHRASE.search(s.text):
            found.append(("anonymous source", rank.get(s.id, len(parties)), s))
        elif _DENIAL.search(s.text):
            found.append(("denial", 0, s))
        elif _UNCONFIRMED.search(s.text):
            found.append(("unconfirmed", 0, s))
    kept: list[tuple[str, int, Sentence]] = []
    for kind in ("anonymous source", "denial", "unconfirmed"):
        same = sorted((f for f in found if f[0] == kind), key=lambda f: (f[1], f[2].index))
        kept.extend(same[:MAX_PER_KIND])
    kept.sort(key=lambda f: f[2].index)
    return [
        Unknown(kind, Statement(s.text, refs([s.id], article, index), "rule"))
        for kind, _, s in kept[:MAX_UNKNOWNS]
    ]


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
            disagreements.append(Statement(ok.text, refs(list(ok.ids), article, index), "model"))
        else:
            rejected.append(d.text)
    if not disagreements:  # by rule: sentences that say the sides differ, deny, downplay
        for s in article.sentences:
            if s.id in shown and _DISAGREE.search(s.text):
                disagreements.append(Statement(s.text, refs([s.id], article, index), "rule"))
    questions: list[Statement] = []
    for q in out.questions if out else []:
        text = _clean(q)
        if (
            text.endswith("?")
            and content_words(text)
            and not _copies_example(text, article)
            and text not in {x.text for x in questions}
        ):
            questions.append(Statement(text, [], "model"))
        elif text:
            rejected.append(text)
    for st in _fallback_questions(parties, unknowns):
        if len(questions) >= N_QUESTIONS:
            break
        questions.append(st)
    return disagreements[:MAX_DISAGREEMENTS], questions[:N_QUESTIONS]


def _fallback_questions(parties: list[PartyView], unknowns: list[Unknown]) -> list[Statement]:
    out: list[Statement] = []
    for u in unknowns:
        if u.kind == "anonymous source":
            out.append(
                Statement("Will anyone confirm this on the record?", u.statement.citations, "rule")
            )
            break
    for p in parties:
        if p.kind == "person" and not p.speaks:
            out.append(Statement(f"What does {p.name} say, in their own words?", [], "rule"))
            break
    out.append(Statement("What happens next, and when?", [], "rule"))
    out.append(Statement("Whose account is missing from the article?", [], "rule"))
    return out


# ---------------------------------------------------------------- running


def salvage_json(text: str) -> Any:
    """Parse JSON; when it was cut off at the token limit, keep the complete part.

    '{"headline": "X", "points": [{"cites": ["S1"], "text": "A"}, {"cites": ["S2"], "te'
    gives the headline and the first point. None when nothing complete remains.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    ends = [i for i, ch in enumerate(text) if ch == "}"][-40:]
    for i in reversed(ends):
        for tail in ("]}", "}", "]}]}", "", "]"):
            try:
                data = json.loads(text[: i + 1] + tail)
            except json.JSONDecodeError:
                continue
            if isinstance(data, dict):
                return data
    return None


def _call(llm: LLMClient, prompt: BriefPrompt, result_type: type[Any], notes: list[str]) -> Any:
    """One call, no re-ask: a briefing has a rule-based fallback for every part, and a re-ask
    costs a whole prompt and answer again (a small model that looped once loops again).
    Output cut off at the token limit keeps its complete items."""
    # llm.chat caches answers that finished normally; a cut-off one is cached here, because a
    # briefing uses its complete part (a rerun would pay for the same cut-off answer again).
    key = cache_key(
        kind="brief-cut-off",
        endpoint=llm.endpoint,
        model=llm.model,
        messages=prompt.messages,
        schema=prompt.schema,
        params={
            "max_tokens": prompt.max_tokens,
            "temperature": llm.settings.temperature,
            "seed": llm.settings.seed,
        },
    )
    hit = llm.cache.get(key) if llm.cache is not None else None
    finish: str | None
    if hit is not None:
        llm.usage.add(
            Usage(
                model=llm.model,
                prompt_tokens=int(hit.get("prompt_tokens", 0)),
                completion_tokens=int(hit.get("completion_tokens", 0)),
                cached=True,
                calls=1,
            )
        )
        content, finish = str(hit["content"]), "length"
    else:
        try:
            completion = llm.chat(
                prompt.messages,
                max_tokens=prompt.max_tokens,
                schema=prompt.schema,
                schema_name=f"brief_{prompt.name}",
            )
        except ModelOutputError as exc:
            notes.append(f"{prompt.name}: {exc}; shown from the article by rule instead")
            return None
        content, finish = completion.content, completion.finish_reason
        if finish == "length" and llm.cache is not None:
            llm.cache.put(
                key,
                {
                    "content": content,
                    "prompt_tokens": completion.usage.prompt_tokens,
                    "completion_tokens": completion.usage.completion_tokens,
                },
            )
    data = salvage_json(content)
    if finish == "length":
        notes.append(f"{prompt.name}: the model's answer was cut off at the token limit")
    try:
        return result_type.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "top level"
        notes.append(
            f"{prompt.name}: the model's answer was invalid ({where}: {first['msg']}); "
            "shown from the article by rule instead"
        )
        return None


def brief_article(article: Article, llm: LLMClient, index: int = 1) -> ArticleBrief:
    before = len(llm.usage.records)
    settings = llm.settings
    shown_s, candidates, prompts = build_prompts(
        article, settings.article_budget, llm.model, settings.small_model
    )
    shown = [s.id for s in shown_s]
    notes: list[str] = []
    if len(shown) < len(article.sentences):
        notes.append(
            f"the model saw sentences {shown[0]}–{shown[-1]} of {len(article.sentences)} "
            "(prompt budget); the rest is found by rule only"
        )
    outputs: dict[str, Any] = {}
    types: dict[str, type[Any]] = {"points": PointsOut, "parties": PartiesOut, "debate": DebateOut}
    for p in prompts:
        outputs[p.name] = _call(llm, p, types[p.name], notes)
    rejected: list[str] = []
    headline, points = interpret_points(outputs.get("points"), article, shown, index, rejected)
    parties = interpret_parties(outputs.get("parties"), candidates, article, shown, index, rejected)
    unknowns = find_unknowns(article, candidates, index)
    disagreements, questions = interpret_debate(
        outputs.get("debate"), article, shown, index, parties, unknowns, rejected
    )
    usage = UsageLog(llm.usage.records[before:]).total()
    return ArticleBrief(
        index=index,
        source=article.source,
        headline=headline,
        points=points,
        parties=parties,
        disagreements=disagreements,
        unknowns=unknowns,
        questions=questions,
        sentences=list(article.sentences),
        shown=shown,
        dropped=rejected,
        notes=notes,
        usage=usage,
    )


def synthesis_prompt(
    briefs: list[ArticleBrief], model: str | None = None
) -> tuple[BriefPrompt, dict[str, Ref]]:
    """The cross-article call: each article's key points with qualified ids (A2:S5)."""
    lines: dict[str, Ref] = {}
    blocks = []
    for b in briefs:
        lines_: list[dict[str, str]] = []
        for st in [b.headline, *b.points]:
            for c in st.citations[:1]:
                qid = c.label(True)
                if qid not in lines:
                    lines[qid] = c
                    lines_.append({"id": qid, "text": c.text})
        blocks.append({"index": b.index, "lines": lines_})
    text = render("brief_synthesis.j2", articles=blocks)
    ids = list(lines)
    prompt = BriefPrompt(
        "synthesis",
        [{"role": "user", "content": text}],
        synthesis_schema(ids),
        count_tokens(text, model),
        MAX_TOKENS["synthesis"],
    )
    return prompt, lines


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
        if not cited or not text or _copies_example(text, pseudo):
            continue
        verdict = ground(text, cited, pseudo)
        if verdict.supported:
            refs_ = [lines[qids[int(i[1:]) - 1]] for i in verdict.ids]
            points.append(Statement(text, refs_, "model"))
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
                shared.append(Statement(f"{party.name} appears in articles {arts}.", found, "rule"))
    return Synthesis(points, shared)


def brief(articles: list[Article], llm: LLMClient) -> Briefing:
    before = len(llm.usage.records)
    briefs = [brief_article(a, llm, i) for i, a in enumerate(articles, start=1)]
    synthesis = None
    if len(briefs) > 1:
        prompt, lines = synthesis_prompt(briefs, llm.model)
        notes: list[str] = []
        out = _call(llm, prompt, SynthesisOut, notes)
        synthesis = interpret_synthesis(out, lines, briefs)
    return Briefing(briefs, synthesis, llm.model, UsageLog(llm.usage.records[before:]).total())


def dry_run_prompts(
    articles: list[Article], budget: int, model: str | None, small: bool = False
) -> list[BriefPrompt]:
    out: list[BriefPrompt] = []
    for a in articles:
        out.extend(build_prompts(a, budget, model, small)[2])
    return out
