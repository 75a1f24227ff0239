"""What `stance` finds without a model, and therefore exactly: direct quotes (the words inside
quotation marks in sentences the party speaks, verbatim with ids), claims others make about a
party (sentences that mention it, spoken by someone else), a position in the party's own words,
which parties the model is asked about, and disagreements (two parties' statements sharing
content words, one side negating)."""

from __future__ import annotations

import re

from newsdesk.article import Article, normalise_ws
from newsdesk.citations import resolve
from newsdesk.errors import InputError
from newsdesk.grounding import ground, stem, stemmed_words
from newsdesk.parties import PartyCandidate, PartyMap
from newsdesk.tasks.stance.outputs import MAX_EVIDENCE
from newsdesk.tasks.stance.results import Claim, Disagreement, Party, Quote, Side

DEFAULT_MAX_PARTIES = 6
MAX_DISAGREEMENTS = 3

Spans = dict[str, list[tuple[int, int]]]

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
_SAID_THAT = re.compile(
    r"\b(?:said|says|told\s+\w+|added|argued|warned|insisted|noted|stated|claimed)"
    r"(?:\s+(?:then|on\s+\w+|last\s+\w+|in\s+a\s+statement))?\s+(?:that\s+)?(?P<what>[^\"“”]{12,})$"
)


# ---------------------------------------------------------------- a party's own words


def quotes_for(article: Article, cand: PartyCandidate, spans: Spans) -> list[Quote]:
    out = []
    for sid in cand.spoken_ids:
        for a, b in spans.get(sid, []):
            text = normalise_ws(article.text[a:b]).rstrip(",")
            if text:
                out.append(Quote(id=sid, text=text, start=a, end=b))
    return out


def claims_for(article: Article, idx: int, pm: PartyMap) -> list[Claim]:
    cand = pm.candidates[idx]
    out = []
    for sid in cand.sentence_ids:
        who = pm.speakers.get(sid)
        if who is not None and who != idx:
            out.append(Claim(id=sid, text=article.by_id[sid].text, by=pm.candidates[who].name))
    return out


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


def base_party(
    article: Article, idx: int, pm: PartyMap, spans: Spans, source: str = "deterministic"
) -> Party:
    """A party as the rules see it: its quotes, the claims about it, its own-words position."""
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
        source=source,
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


def quoted(article: Article, pm: PartyMap, spans: Spans) -> set[int]:
    """The candidates the article quotes directly (words in quotation marks they speak)."""
    return {i for i, c in enumerate(pm.candidates) if quotes_for(article, c, spans)}


def found_by(idx: int, det_count: int, confirmed: set[int]) -> str:
    """Who found candidate `idx`: the rules (the first `det_count`), the model, or both."""
    if idx >= det_count:
        return "model"
    return "both" if idx in confirmed else "deterministic"


# ---------------------------------------------------------------- which parties are asked about


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


def occurrence(article: Article, name: str) -> str | None:
    """The article's own spelling of `name` (case-insensitive, whitespace-normalised), if any."""
    name = normalise_ws(name).strip(" .,;:\"'“”")
    if len(name) < 2:
        return None
    flat = normalise_ws(article.text)
    at = flat.lower().find(name.lower())
    if at < 0:
        return None
    return flat[at : at + len(name)]


# ---------------------------------------------------------------- disagreements


def _content(text: str, exclude: set[str]) -> list[str]:
    """Stemmed content words of four letters or more (`grounding.stemmed_words`), minus
    `exclude`."""
    return [
        t
        for t in stemmed_words(text)
        if t.isalpha() and len(t) >= 4 and t not in exclude and t not in _COMMON
    ]


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
                        sides=[
                            Side(party=ca.name, evidence=ids_a),
                            Side(party=cb.name, evidence=ids_b),
                        ],
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
