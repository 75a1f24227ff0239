"""`stance`: every party of an article, its position, its own words, and where parties disagree.

Discovery does not rest on the model alone: `find_parties` (deterministic: names, titles,
"X said" attributions, unnamed sources) gives candidates, and the model may add parties (kept
only when the name occurs in the article). The chosen parties (the most-mentioned, capped, and
every party quoted directly) are analysed: an instruction-tuned model in one call over the
article (the central issue, then each party's position, stance label and evidence ids); the
270M base model (`Settings.small_model`) in an overview call and one small call per party,
from that party's sentences only.

What is deterministic and therefore exact: names and aliases (spans of the article), direct
quotes (the words inside quotation marks in sentences the party speaks, verbatim with ids),
claims others make about the party (sentences that mention it, spoken by someone else), and
the disagreement detection (two parties' statements sharing content words, one side negating).

What the model writes passes the one grounding check (`grounding.ground`): a position must be
in the words of the party's sentences (its names and the central issue aside), and its evidence
becomes the sentences those words come from; a position that fails is replaced by the party's
own words, cited to the sentence they come from. The issue, roles and topics pass the same check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from newsdesk.article import Article, normalise_ws
from newsdesk.citations import Citation, check_ids, resolve
from newsdesk.errors import InputError, ModelOutputError
from newsdesk.grounding import ground, stem, tokens
from newsdesk.llm.client import LLMClient, Message
from newsdesk.parties import PartyCandidate, PartyMap, analyse_parties, quoted_spans
from newsdesk.prompts import messages_text, render_messages
from newsdesk.tasks.evidence import select_evidence
from newsdesk.tokens import count_tokens

DEFAULT_MAX_PARTIES = 6
STANCES = ("supports", "opposes", "mixed", "neutral", "unclear")
MAX_PROPOSED = 8
MAX_PARTY_SENTENCES = 6
MAX_EVIDENCE = 3
MAX_DISAGREEMENTS = 3
OVERVIEW_TOKENS = 160
PARTY_TOKENS = 120
PARTIES_TOKENS = 80  # the one-call prompt: the issue and the others, beside PARTY_TOKENS each
TOPIC_TOKENS = 40

# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Quote:
    """A party's own words: the text inside quotation marks, verbatim, and its sentence."""

    id: str
    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Claim:
    """A sentence about a party, spoken by someone else (`by`)."""

    id: str
    text: str
    by: str

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "text": self.text, "by": self.by}


@dataclass
class Party:
    name: str
    aliases: list[str]
    kind: str
    role: str = ""
    position: str = ""
    stance: str = "unclear"
    quotes: list[Quote] = field(default_factory=list)
    claims_by_others: list[Claim] = field(default_factory=list)
    evidence: list[Citation] = field(default_factory=list)
    sentence_ids: list[str] = field(default_factory=list)
    analysed: bool = False  # the model was asked about it (position and stance are its)
    source: str = "deterministic"  # "deterministic", "model" or "both": who found the party

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "aliases": self.aliases,
            "kind": self.kind,
            "role": self.role,
            "position": self.position,
            "stance": self.stance,
            "quotes": [q.to_dict() for q in self.quotes],
            "claims_by_others": [c.to_dict() for c in self.claims_by_others],
            "evidence": [c.to_dict() for c in self.evidence],
            "sentence_ids": self.sentence_ids,
            "analysed": self.analysed,
            "found_by": self.source,
        }


@dataclass
class Side:
    party: str
    evidence: list[str]  # sentence ids

    def to_dict(self) -> dict[str, Any]:
        return {"party": self.party, "evidence": self.evidence}


@dataclass
class Disagreement:
    topic: str
    sides: list[Side]
    context: list[str] = field(default_factory=list)  # ids of sentences that note the rift

    def to_dict(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "sides": [s.to_dict() for s in self.sides],
            "context": self.context,
        }


@dataclass
class StanceResult:
    central_issue: str
    parties: list[Party]  # analysed (capped), most-mentioned first
    disagreements: list[Disagreement] = field(default_factory=list)
    others: list[Party] = field(default_factory=list)  # found, not sent to the model
    model_proposed: list[str] = field(default_factory=list)  # the model's names kept (in text)
    model_rejected: list[str] = field(default_factory=list)  # its names not in the article
    failures: int = 0  # per-party calls whose output stayed invalid after the re-ask
    ungrounded: int = 0  # model positions not in the article's words (the own words are kept)
    dropped: list[str] = field(default_factory=list)  # evidence ids that were not shown

    def to_dict(self) -> dict[str, Any]:
        return {
            "central_issue": self.central_issue,
            "parties": [p.to_dict() for p in self.parties],
            "disagreements": [d.to_dict() for d in self.disagreements],
            "other_parties": [p.to_dict() for p in self.others],
            "model_proposed": self.model_proposed,
            "model_rejected": self.model_rejected,
            "failures": self.failures,
            "ungrounded_positions": self.ungrounded,
            "dropped_citations": self.dropped,
        }


# ---------------------------------------------------------------- model outputs


class OverviewOutput(BaseModel):
    issue: str
    parties: list[str] = Field(default_factory=list)


class PartyOutput(BaseModel):
    role: str
    position: str
    stance: str
    evidence: list[str] = Field(default_factory=list)


class TopicOutput(BaseModel):
    topic: str


class PartyPosition(BaseModel):
    name: str
    position: str
    stance: str
    evidence: list[str] = Field(default_factory=list)


class PartiesOutput(BaseModel):
    """The one call an instruction-tuned model gets: the issue, then every listed party."""

    issue: str
    parties: list[PartyPosition] = Field(default_factory=list)
    others: list[str] = Field(default_factory=list)  # parties it sees that were not listed


def overview_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "issue": {"type": "string"},
            "parties": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_PROPOSED},
        },
        "required": ["issue", "parties"],
        "additionalProperties": False,
    }


def party_schema(shown_ids: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "role": {"type": "string"},
            "position": {"type": "string"},
            "stance": {"type": "string", "enum": list(STANCES)},
            "evidence": {
                "type": "array",
                "items": {"type": "string", "enum": shown_ids},
                "maxItems": MAX_EVIDENCE,
            },
        },
        "required": ["role", "position", "stance", "evidence"],
        "additionalProperties": False,
    }


def parties_schema(shown_ids: list[str], names: list[str]) -> dict[str, Any]:
    item = party_schema(shown_ids)
    name: dict[str, Any] = {"type": "string", "enum": names} if names else {"type": "string"}
    item["properties"] = {"name": name, **item["properties"]}
    del item["properties"]["role"]
    item["required"] = ["name", "position", "stance", "evidence"]
    return {
        "type": "object",
        "properties": {
            "issue": {"type": "string"},
            "parties": {"type": "array", "items": item, "maxItems": len(names)},
            "others": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_PROPOSED},
        },
        "required": ["issue", "parties", "others"],
        "additionalProperties": False,
    }


def topic_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"topic": {"type": "string"}},
        "required": ["topic"],
        "additionalProperties": False,
    }


# ---------------------------------------------------------------- prompts


@dataclass
class Prompt:
    name: str  # what it asks about: "overview", a party's name, "topic: A / B"
    messages: list[Message]
    shown: list[str]
    schema: dict[str, Any]
    tokens: int
    max_tokens: int


def _prompt(
    template: str, name: str, shown: list[str], schema: dict[str, Any], max_tokens: int, **kw: Any
) -> Prompt:
    messages = render_messages(template, **kw)
    return Prompt(
        name=name,
        messages=messages,
        shown=shown,
        schema=schema,
        tokens=count_tokens(messages_text(messages)),
        max_tokens=max_tokens,
    )


def overview_prompt(article: Article, budget: int, model: str | None = None) -> Prompt:
    sentences = select_evidence(article, article.title, budget, model)
    return _prompt(
        "stance_overview.j2",
        "overview",
        [s.id for s in sentences],
        overview_schema(),
        OVERVIEW_TOKENS,
        sentences=sentences,
    )


def parties_prompt(
    article: Article, cands: list[PartyCandidate], budget: int, model: str | None = None
) -> Prompt:
    """All the parties in one call, over the whole article when it fits (else the sentences
    that best match the parties' names and the title)."""
    query = " ".join([article.title, *(c.name for c in cands)])
    sentences = select_evidence(article, query, budget, model)
    ids = [s.id for s in sentences]
    return _prompt(
        "stance_parties.j2",
        "parties",
        ids,
        parties_schema(ids, [c.name for c in cands]),
        PARTIES_TOKENS + PARTY_TOKENS * len(cands),
        sentences=sentences,
        parties=cands,
        title=article.title,
    )


def party_sentences(article: Article, cand: PartyCandidate) -> list[str]:
    """The sentences shown for a party: the ones it speaks first, then mentions, capped."""
    chosen = list(dict.fromkeys([*cand.spoken_ids, *cand.sentence_ids]))[:MAX_PARTY_SENTENCES]
    return sorted(chosen, key=lambda i: article.by_id[i].index)


def party_prompt(article: Article, cand: PartyCandidate, issue: str) -> Prompt:
    ids = party_sentences(article, cand)
    return _prompt(
        "stance_party.j2",
        cand.name,
        ids,
        party_schema(ids),
        PARTY_TOKENS,
        issue=issue,
        party=cand.name,
        sentences=[article.by_id[i] for i in ids],
    )


def topic_prompt(article: Article, a: Side, b: Side) -> Prompt:
    return _prompt(
        "stance_topic.j2",
        f"topic: {a.party} / {b.party}",
        [*a.evidence, *b.evidence],
        topic_schema(),
        TOPIC_TOKENS,
        a_name=a.party,
        b_name=b.party,
        a_sentences=[article.by_id[i] for i in a.evidence],
        b_sentences=[article.by_id[i] for i in b.evidence],
    )


# ---------------------------------------------------------------- deterministic parts

# Words too common to make two statements about the same thing (beyond the stop words).
_COMMON = frozenset(stem(w) for w in "year years month week day time last next".split())
_NEGATION = re.compile(
    r"\b(?:not|no|never|nothing|none|n't|only|little|denied|deny|denies|disputed|dispute"
    r"|rejected|reject|downplayed|downplay|refused|refuse|false|untrue|without)\b|n[’']t\b",
    re.IGNORECASE,
)
_RIFT = re.compile(
    r"\b(?:different\s+(?:ideas|accounts|versions|views)|disagree\w*|dispute\w*|contradict\w*"
    r"|at\s+odds|denied|denies|rejected|differ\w*)\b",
    re.IGNORECASE,
)


def _content(text: str, exclude: set[str]) -> list[str]:
    """Stemmed content words of four letters or more (`grounding.tokens`), minus `exclude`."""
    return [
        t
        for t in tokens(text)
        if t.isalpha() and len(t) >= 4 and t not in exclude and t not in _COMMON
    ]


Spans = dict[str, list[tuple[int, int]]]


def quotes_for(article: Article, cand: PartyCandidate, spans: Spans) -> list[Quote]:
    out = []
    for sid in cand.spoken_ids:
        for a, b in spans.get(sid, []):
            text = normalise_ws(article.text[a:b]).rstrip(",")
            if text:
                out.append(Quote(sid, text, a, b))
    return out


def claims_for(article: Article, idx: int, pm: PartyMap) -> list[Claim]:
    cand = pm.candidates[idx]
    out = []
    for sid in cand.sentence_ids:
        who = pm.speakers.get(sid)
        if who is not None and who != idx:
            out.append(Claim(sid, article.by_id[sid].text, pm.candidates[who].name))
    return out


_SAID_THAT = re.compile(
    r"\b(?:said|says|told\s+\w+|added|argued|warned|insisted|noted|stated|claimed)"
    r"(?:\s+(?:then|on\s+\w+|last\s+\w+|in\s+a\s+statement))?\s+(?:that\s+)?(?P<what>[^\"“”]{12,})$"
)


def own_position(article: Article, cand: PartyCandidate, quotes: list[Quote]) -> str:
    """A one-line position in the article's own words, without a model: what the party said
    ("said that ..."), else its first quotation, else the clause it is the subject of."""
    for sid in cand.spoken_ids:
        text = article.by_id[sid].text
        m = _SAID_THAT.search(text)
        if m and not text[: m.start()].rstrip().endswith((",", '"', "”")):
            return m.group("what").rstrip(". ")
    if quotes:
        return quotes[0].text
    for sid in cand.sentence_ids:
        text = article.by_id[sid].text
        for alias in sorted(cand.aliases, key=len, reverse=True):
            at = text.find(alias)
            rest = text[at + len(alias) :] if at >= 0 else ""
            if re.match(r"\s+(?:has\s+|had\s+|have\s+|also\s+)?[a-z]+(?:ed|s)\b", rest):
                clause = re.split(r"(?<=\w)[,;]\s+(?:but|while|and)\b", text[at:])[0]
                return clause.rstrip(". ")
    return ""


def _base_party(article: Article, idx: int, pm: PartyMap, spans: Spans) -> Party:
    cand = pm.candidates[idx]
    quotes = quotes_for(article, cand, spans)
    position = own_position(article, cand, quotes)
    evidence = _own_evidence(article, cand, position)
    if position and not ground(position, evidence, article, ignore=cand.name).supported:
        # words with nothing checkable in them ("Yes", "She said she didn't."): no position
        # is printed rather than one its evidence cannot show; the quotes stay listed
        position, evidence = "", _own_evidence(article, cand, "")
    return Party(
        name=cand.name,
        aliases=cand.aliases,
        kind=cand.kind,
        role=cand.role,
        position=position,
        quotes=quotes,
        claims_by_others=claims_for(article, idx, pm),
        evidence=resolve(evidence, article),
        sentence_ids=cand.sentence_ids,
    )


def _own_evidence(article: Article, cand: PartyCandidate, position: str) -> list[str]:
    """The evidence for a position in the article's own words: the sentence those words come
    from (`grounding.ground` re-cites them, else the sentence that contains them), never a
    sentence that does not hold them; with no position, the party's first sentences."""
    fallback = cand.spoken_ids[:MAX_EVIDENCE] or cand.sentence_ids[:MAX_EVIDENCE]
    if not position:
        return fallback
    verdict = ground(position, fallback, article, cand.sentence_ids)
    if verdict.supported:
        return list(verdict.ids)
    words = normalise_ws(position)
    return [i for i in cand.sentence_ids if words in normalise_ws(article.by_id[i].text)][:1]


def _ignored(cand: PartyCandidate, issue: str) -> str:
    """Words a party's position need not find in its sentences: its names and the issue."""
    return " ".join([issue, cand.name, *cand.aliases])


def find_disagreements(article: Article, pm: PartyMap, indices: list[int]) -> list[Disagreement]:
    """Two parties whose statements share content words while exactly one side negates."""
    exclude: set[str] = set()
    for i in indices:
        for alias in pm.candidates[i].aliases:
            exclude.update(stem(w) for w in alias.lower().split())
    found: list[tuple[int, Disagreement]] = []
    for x, a in enumerate(indices):
        for b in indices[x + 1 :]:
            ca, cb = pm.candidates[a], pm.candidates[b]
            side_a: list[str] = []
            side_b: list[str] = []
            shared: list[str] = []
            for sa in ca.spoken_ids:
                for sb in cb.spoken_ids:
                    if sa == sb:
                        continue
                    ta, tb = article.by_id[sa].text, article.by_id[sb].text
                    wa, wb = _content(ta, exclude), _content(tb, exclude)
                    common = [w for w in dict.fromkeys(wa) if w in set(wb)]
                    if len(common) < 2:
                        continue
                    if bool(_NEGATION.search(ta)) == bool(_NEGATION.search(tb)):
                        continue
                    side_a.append(sa)
                    side_b.append(sb)
                    shared.extend(w for w in common if w not in shared)
            if not side_a:
                continue
            ids_a = sorted(set(side_a), key=lambda i: article.by_id[i].index)
            ids_b = sorted(set(side_b), key=lambda i: article.by_id[i].index)
            words = _surface_words(article.by_id[ids_a[0]].text, shared)
            context = [
                s.id
                for s in article.sentences
                if _RIFT.search(s.text) and s.id not in ids_a and s.id not in ids_b
            ][:2]
            found.append(
                (
                    len(shared),
                    Disagreement(
                        topic=f"what {ca.name} and {cb.name} say about {words}",
                        sides=[Side(ca.name, ids_a), Side(cb.name, ids_b)],
                        context=context,
                    ),
                )
            )
    found.sort(key=lambda t: -t[0])
    return [d for _, d in found[:MAX_DISAGREEMENTS]]


def _surface_words(text: str, stems: list[str]) -> str:
    """The article's own words for the shared stems, in the order the sentence has them."""
    out: list[str] = []
    for w in re.findall(r"[A-Za-z][A-Za-z'-]+", text):
        if stem(w) in stems and w.lower() not in [o.lower() for o in out]:
            out.append(w)
    return " ".join(out[:4]) if out else "the same events"


# ---------------------------------------------------------------- model proposals


def _occurrence(article: Article, name: str) -> str | None:
    """The article's own spelling of `name` (case-insensitive, whitespace-normalised), if any."""
    name = normalise_ws(name).strip(" .,;:\"'“”")
    if len(name) < 2:
        return None
    flat = normalise_ws(article.text)
    at = flat.lower().find(name.lower())
    if at < 0:
        return None
    return flat[at : at + len(name)]


def _same_party(name: str, cand: PartyCandidate) -> bool:
    low = name.lower().split()
    for alias in [cand.name, *cand.aliases]:
        a = alias.lower().split()
        if a == low or (a and low and a[-1] == low[-1] and cand.kind == "person"):
            return True
        if " ".join(low) in alias.lower() or alias.lower() in " ".join(low):
            return len(min(alias, name, key=len)) >= 4
    return False


def merge_proposals(
    article: Article, pm: PartyMap, names: list[str]
) -> tuple[list[str], list[str], set[int]]:
    """Add the model's parties to the candidates. Returns (kept, rejected, confirmed indices)."""
    kept: list[str] = []
    rejected: list[str] = []
    confirmed: set[int] = set()
    for raw in names:
        surface = _occurrence(article, raw)
        if surface is None:
            if raw.strip():
                rejected.append(raw.strip())
            continue
        if surface in kept:
            continue
        kept.append(surface)
        match = [i for i, c in enumerate(pm.candidates) if _same_party(surface, c)]
        if match:
            confirmed.add(match[0])
            continue
        ids = [s.id for s in article.sentences if surface.lower() in s.text.lower()]
        pm.candidates.append(
            PartyCandidate(
                name=surface,
                aliases=[surface],
                kind="unknown",
                sentence_ids=ids,
                mentions=len(ids),
            )
        )
        confirmed.add(len(pm.candidates) - 1)
    return kept, rejected, confirmed


# ---------------------------------------------------------------- the task


def select_parties(
    pm: PartyMap,
    confirmed: set[int],
    max_parties: int,
    party: str | None,
    always: set[int] | None = None,
) -> list[int]:
    """Which candidates the model is asked about: the --party match, else the first N, with
    the ones the model also named ahead of those it did not, and then every party in `always`
    (those quoted directly: a reader expects anyone the article quotes to be analysed)."""
    if party:
        want = party.lower()
        hits = [
            i
            for i, c in enumerate(pm.candidates)
            if any(want in a.lower() or a.lower() in want for a in [c.name, *c.aliases])
        ]
        if not hits:
            names = ", ".join(c.name for c in pm.candidates[:12])
            raise InputError(f"no party matching {party!r} in the article (parties: {names})")
        return hits[:1]
    order = sorted(
        range(len(pm.candidates)),
        key=lambda i: (i not in confirmed or i >= 2 * max_parties, i),
    )
    chosen = order[:max_parties]
    return chosen + sorted(set(always or ()) - set(chosen))


def analyse_stance(
    article: Article,
    llm: LLMClient,
    party: str | None = None,
    max_parties: int = DEFAULT_MAX_PARTIES,
) -> StanceResult:
    """Every party's position, stance and evidence. An instruction-tuned model gets one call
    for all the parties; the bundled 270M base model (`Settings.small_model`) one overview
    call and one short call per party, which is what it can follow."""
    pm = analyse_parties(article)
    spans = quoted_spans(article)
    if party and _occurrence(article, party) is None:
        select_parties(pm, set(), max_parties, party)  # raises InputError when nothing matches
    quoted = _quoted(article, pm, spans) if not party else set()
    run = _per_party if llm.settings.small_model else _together
    result, chosen, confirmed, det_count = run(article, llm, pm, spans, party, max_parties, quoted)

    result.others = [
        _with_source(_base_party(article, i, pm, spans), _source(i, det_count, confirmed))
        for i in range(len(pm.candidates))
        if i not in chosen and not party
    ]

    # disagreements between the analysed parties, each named by a short model call
    if not party:
        result.disagreements = find_disagreements(article, pm, chosen)
        for d in result.disagreements:
            tp = topic_prompt(article, d.sides[0], d.sides[1])
            try:
                to = llm.structured(
                    tp.messages,
                    TopicOutput,
                    tp.schema,
                    max_tokens=tp.max_tokens,
                    schema_name="topic",
                )
                said = [i for side in d.sides for i in side.evidence]
                if ground(to.topic, said, article, said).supported:
                    d.topic = normalise_ws(to.topic)
            except ModelOutputError:
                pass
    return result


_Run = tuple[StanceResult, list[int], set[int], int]


def _quoted(article: Article, pm: PartyMap, spans: Spans) -> set[int]:
    """The candidates the article quotes directly (words in quotation marks they speak)."""
    return {i for i, c in enumerate(pm.candidates) if quotes_for(article, c, spans)}


def _issue(text: str, article: Article) -> str:
    """The model's central issue when the article's words hold it, else the article's title."""
    if text and ground(text, list(article.by_id), article).supported:
        return normalise_ws(text)
    return article.title


def _problems(
    outs: list[PartyOutput] | list[PartyPosition], article: Article, shown: list[str]
) -> str | None:
    """What the model must fix in its party answers (None: nothing): labels, evidence ids."""
    if any(o.stance not in STANCES for o in outs):
        return f"stance must be one of {', '.join(STANCES)}"
    bad = [i for o in outs for i in check_ids(o.evidence, article, shown).dropped]
    return f"evidence {bad} are not sentence ids shown" if bad else None


def _apply(
    p: Party,
    out: PartyOutput | PartyPosition,
    cand: PartyCandidate,
    issue: str,
    shown: list[str],
    article: Article,
    result: StanceResult,
) -> None:
    """The model's position, with its evidence corrected to the sentences it rests on
    (`grounding.ground`), among the party's own sentences only: a position is never cited to
    a sentence about someone else. Else the party's own words (and their own sentence) stand."""
    result.dropped.extend(check_ids(out.evidence, article, shown).dropped)
    own = [i for i in shown if i in set(cand.sentence_ids)]
    verdict = ground(out.position, out.evidence, article, own, ignore=_ignored(cand, issue))
    if verdict.supported:
        p.position = verdict.text
        p.evidence = resolve(verdict.ids, article)
    else:
        result.ungrounded += 1
    p.stance = out.stance if out.stance in STANCES else "unclear"
    p.analysed = True


def _together(
    article: Article,
    llm: LLMClient,
    pm: PartyMap,
    spans: Spans,
    party: str | None,
    max_parties: int,
    quoted: set[int],
) -> _Run:
    """One call: the central issue, every chosen party's position, and parties it adds."""
    det_count = len(pm.candidates)
    if party:  # named in the article (checked) though not found by rule: a candidate now
        merge_proposals(article, pm, [party])
    chosen = select_parties(pm, set(), max_parties, party, quoted)
    asked = [pm.candidates[i] for i in chosen if pm.candidates[i].sentence_ids]
    out: PartiesOutput | None = None
    failures = 0
    # One call even when no party was found by rule: the model names the issue and the others.
    prompt = parties_prompt(article, asked, llm.settings.article_budget, llm.model)
    names = {c.name for c in asked}

    def problems(o: PartiesOutput) -> str | None:
        unknown = [q.name for q in o.parties if q.name not in names]
        if unknown:
            return f"parties {unknown} are not among the names listed"
        return _problems(o.parties, article, prompt.shown)

    try:
        out = llm.structured(
            prompt.messages,
            PartiesOutput,
            prompt.schema,
            check=problems,
            max_tokens=prompt.max_tokens,
            schema_name="parties",
        )
    except ModelOutputError:
        failures = 1
    issue = _issue(out.issue if out else "", article)
    kept, rejected, confirmed = merge_proposals(article, pm, out.others if out else [])
    result = StanceResult(issue, [], model_proposed=kept, model_rejected=rejected)
    result.failures = failures
    given = {q.name: q for q in out.parties} if out else {}
    for idx in chosen:
        cand = pm.candidates[idx]
        p = _base_party(article, idx, pm, spans)
        p.source = _source(idx, det_count, confirmed)
        if cand.name in given:
            _apply(p, given[cand.name], cand, issue, prompt.shown, article, result)
        result.parties.append(p)
    return result, chosen, confirmed, det_count


def _per_party(
    article: Article,
    llm: LLMClient,
    pm: PartyMap,
    spans: Spans,
    party: str | None,
    max_parties: int,
    quoted: set[int],
) -> _Run:
    """The small base model: an overview call (issue + its own party list), then one short
    call per chosen party, from that party's sentences only."""
    det_count = len(pm.candidates)
    ov = overview_prompt(article, llm.settings.article_budget, llm.model)
    issue = article.title
    proposed: list[str] = []
    try:
        out = llm.structured(
            ov.messages, OverviewOutput, ov.schema, max_tokens=ov.max_tokens, schema_name="overview"
        )
        issue = _issue(out.issue, article)
        proposed = out.parties
    except ModelOutputError:
        pass
    kept, rejected, confirmed = merge_proposals(article, pm, proposed)

    chosen = select_parties(pm, confirmed, max_parties, party, quoted)
    result = StanceResult(issue, [], model_proposed=kept, model_rejected=rejected)
    for idx in chosen:
        p = _base_party(article, idx, pm, spans)
        p.source = _source(idx, det_count, confirmed)
        if not pm.candidates[idx].sentence_ids:
            result.parties.append(p)
            continue
        prompt = party_prompt(article, pm.candidates[idx], issue)

        def problems(o: PartyOutput, shown: list[str] = prompt.shown) -> str | None:
            return _problems([o], article, shown)

        try:
            po = llm.structured(
                prompt.messages,
                PartyOutput,
                prompt.schema,
                check=problems,
                max_tokens=prompt.max_tokens,
                schema_name="party",
            )
        except ModelOutputError:
            result.failures += 1
            result.parties.append(p)
            continue
        if not p.role and ground(po.role, prompt.shown, article, prompt.shown).supported:
            p.role = normalise_ws(po.role)
        _apply(p, po, pm.candidates[idx], issue, prompt.shown, article, result)
        result.parties.append(p)
    return result, chosen, confirmed, det_count


def _source(idx: int, det_count: int, confirmed: set[int]) -> str:
    if idx >= det_count:
        return "model"
    return "both" if idx in confirmed else "deterministic"


def _with_source(p: Party, source: str) -> Party:
    p.source = source
    return p


def dry_run_prompts(
    article: Article,
    budget: int,
    model: str | None,
    party: str | None,
    max_parties: int,
    small: bool = False,
) -> list[Prompt]:
    """The prompts a run would send: the one call of an instruction-tuned model; for the small
    model, per-party ones for the deterministic choice, since the model's proposals are not
    known without calling it."""
    pm = analyse_parties(article)
    quoted = _quoted(article, pm, quoted_spans(article)) if not party else set()
    chosen = select_parties(pm, set(), max_parties, party, quoted)
    if not small:
        asked = [pm.candidates[i] for i in chosen if pm.candidates[i].sentence_ids]
        return [parties_prompt(article, asked, budget, model)]
    ov = overview_prompt(article, budget, model)
    issue = "(the central issue the first call returns)"
    return [ov, *(party_prompt(article, pm.candidates[i], issue) for i in chosen)]
