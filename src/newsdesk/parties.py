"""Deterministic party candidates: who acts or speaks in an article, found without a model.

`find_parties(article)` returns people, governments, organisations, groups and unnamed sources,
each with the surface forms the article uses for it (aliases), its kind and the sentences that
mention it, most-mentioned first. It also records who speaks in each sentence (`said X`,
`X said`, `according to X`, `he said` after X, a quotation that continues X's), which the stance
task uses to keep a party's own words apart from what others say about it.

Rules, in order:
  - names are runs of capitalised words ("Derek Scissors", "American Enterprise Institute",
    "Group of 20 Summit"); a sentence's first word counts only when it is not a common word;
    datelines in capitals ("WASHINGTON/NEW YORK •") and possessives ("Trump's") are trimmed;
  - a personal title or office inside a run ("Mr", "Dr", "President", "Treasury Secretary")
    marks a person: the words after it are the name, the words before it the role;
  - unnamed sources: "three sources familiar with the talks", "a US official", "a USTR
    spokesman", "one of the sources";
  - groups: "Republicans", "House Democrats", "Republican lawmakers", "State Department
    officials", "the Trump administration";
  - aliases merge: a bare surname ("Trump", "Mr Trump") joins the full name mentioned most
    recently before it ("Donald Trump"), an honorific with a first token joins it too
    ("Mr Xi" -> "Xi Jinping"); acronyms in brackets join their long form; "US" / "U.S." /
    "United States" are one party;
  - places are dropped: a name whose every mention follows "in", "at", "near"...; so are events,
    laws, days and months.
Every name and alias is a span of the article text, so nothing printed is invented.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from newsdesk.article import Article, Sentence

PERSON = "person"
GOVERNMENT = "government"
ORGANISATION = "organisation"
GROUP = "group"
ANONYMOUS = "anonymous source"

# ---------------------------------------------------------------- vocabularies

_HONORIFICS = frozenset("mr mrs ms miss mx dr prof sir dame lady lord".split())
_TITLE_WORDS = (
    frozenset(
        """president vice-president premier vice-premier senator sen representative rep gov
    governor secretary minister chancellor judge justice gen general adm admiral col colonel
    capt captain sgt lt lieutenant speaker mayor king queen prince princess pope rev reverend
    chairman chairwoman chair commissioner ambassador attorney leader rabbi imam sheriff
    director chief ceo coach pastor bishop cardinal ayatollah sheikh emir chief-executive
    professor congressman congresswoman councilman councilwoman delegate superintendent
    spokesman spokeswoman spokesperson adviser advisor envoy negotiator economist analyst
    founder president-elect candidate nominee treasurer comptroller lawmaker trustee senators
    representatives reps sens democrat republican journalist reporter columnist author activist
    lawyer pollster strategist spokesman""".split()
    )
    | _HONORIFICS
)
_SUFFIXES = frozenset("jr jr. sr sr. ii iii iv".split())
# Words that begin a sentence with a capital without being a name.
_COMMON = frozenset(
    """the a an and but or nor so yet for in on at by to of from with as after before when
    while if although though since because meanwhile however still then now later earlier
    also both all some many most several no not one two three four five six seven eight nine
    ten what who whom whose why how where which there here this that these those he she it
    they we i you his her its their our my your me him them us us. last next according under
    over during despite until unless instead other another each such only even just more few
    today tomorrow yesterday monday tuesday wednesday thursday friday saturday sunday january
    february march april may june july august september october november december it's that's
    there's he's she's we're they're i'm i've we've don't can't won't didn't isn't yes
    asked said says like among between about against within without while once first second
    third new old former top senior big small few do does did be is are was were has have had
    let please see read more related photo video watch editor's note advertisement every any
    each some no none every questions question answer update updated""".split()
)
_DAYS_MONTHS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december jan feb mar apr jun jul aug sep
    sept oct nov dec""".split()
)
_ORG_HEADS = frozenset(
    """institute inc inc. corp corp. corporation company co co. ltd llc plc group party
    committee commission council university college school academy association foundation
    bank fund court agency service services department ministry office bureau board
    administration authority organization organisation society union federation league
    network news times post journal press club center centre church technologies airlines
    motors partners holdings systems labs laboratories campaign caucus army navy force forces
    police guard congress senate house parliament assembly cabinet government embassy
    program programme project trust coalition alliance movement front brigade council""".split()
)
_GOVERNMENT_WORDS = frozenset(
    """white house congress senate parliament pentagon kremlin administration government
    ministry department state treasury cabinet assembly embassy usda fbi cia nsa ustr epa irs
    dhs doj""".split()
)
_COUNTRIES = frozenset(
    """us u.s. usa u.s.a. america united states china beijing washington russia moscow japan
    tokyo india iran israel britain uk u.k. france germany canada mexico brazil italy spain
    ukraine kyiv kiev taiwan korea north korea south korea pakistan afghanistan iraq syria
    turkey egypt saudi arabia australia eu european union nato un united nations opec vatican
    cuba venezuela singapore malaysia indonesia philippines vietnam thailand nigeria kenya
    ethiopia palestine gaza hamas hezbollah taliban colorado nebraska oklahoma texas california
    florida arizona ohio""".split()
)
_US_ALIASES = ("US", "U.S.", "USA", "U.S.A.", "United States", "America")
_EVENT_HEADS = frozenset(
    """summit conference games olympics cup war act bill amendment day forum festival awards
    election elections primary debate convention week month year street avenue road river
    island mountain airport station square park hall stadium hospital prize treaty accord
    agreement law constitution code rule rules order protocol doctrine plan initiative""".split()
)
_DEMONYMS = frozenset(
    """american chinese japanese british russian french german indian iranian israeli
    palestinian korean north-korean south-korean canadian mexican brazilian italian spanish
    ukrainian taiwanese pakistani afghan iraqi syrian turkish egyptian saudi australian
    european african asian arab western eastern democratic republican conservative liberal
    cuban venezuelan vietnamese english irish
    scottish welsh dutch swedish polish greek muslim christian jewish catholic""".split()
)
_PLATFORMS = frozenset("Twitter Facebook Instagram YouTube TikTok Telegram WhatsApp".split())
_PLACE_HEADS = frozenset("city county province district region valley bay coast".split())
_LOCATIVE = frozenset("in at near across throughout outside inside around into via".split())
_GROUP_NOUNS = (
    "officials|lawmakers|leaders|members|senators|legislators|congressmen|candidates|activists"
    "|protesters|protestors|voters|critics|supporters|opponents|advocates|prosecutors"
    "|investigators|analysts|economists|experts|negotiators|diplomats|residents|workers"
    "|employees|executives|regulators|authorities|officers|troops|forces|students|parents"
    "|teachers|scientists|lawyers|attorneys|judges|donors|strategists|aides|allies|watchers"
    "|companies|firms|giants|groups|organizations|organisations|governments|states|nations"
)
_GROUP_WORDS = frozenset(
    """republicans democrats conservatives liberals progressives independents americans
    palestinians israelis europeans evangelicals catholics muslims christians jews tories
    socialists libertarians""".split()
)
_SPEECH = (
    r"said|says|say|told|tells|added|adds|asked|asks|stated|states|wrote|writes|argued|argues"
    r"|warned|warns|insisted|insists|noted|notes|explained|explains|declared|declares|announced"
    r"|announces|tweeted|tweets|claimed|claims|contended|contends|acknowledged|acknowledges"
    r"|conceded|suggested|suggests|recalled|replied|responded|countered|complained|predicted"
    r"|maintained|maintains|urged|urges|vowed|vows|denied|denies|insisted|admitted|admits"
    r"|testified|charged|stressed|emphasized|emphasised|believes|believed|thinks|thought"
    r"|pointed out|went on|continued|cautioned|wondered|joked|quipped|posted|accused|accuses"
    r"|promised|promises|criticized|criticised|praised|defended|defends|called|calls|saying"
)

# ---------------------------------------------------------------- patterns

_CAP = r"(?:[A-Z]\.(?:[A-Z]\.)+|[A-Z](?:[a-z]+[A-Z])?[\w'’&-]*\.?|\d+(?=\s+[A-Z]))"
_CONNECTOR = r"(?:of|for|de|da|del|della|di|van|von|der|den|bin|ibn|al|el|le|la|du|y)"
_NAME_RUN = re.compile(rf"(?<![\w'’-]){_CAP}(?:\s+(?:{_CONNECTOR}\s+)?{_CAP})*")
_ACRONYM_AFTER = re.compile(r"\s*\(([A-Z][A-Z.&-]{1,9})\)")
_ANON = re.compile(
    r"\b(?:(?P<det>[Aa]n?|[Oo]ne|[Tt]wo|[Tt]hree|[Ff]our|[Ff]ive|[Ss]everal|[Ss]ome|[Mm]any"
    r"|[Oo]ther|[Mm]ultiple|[Tt]he|\d+)\s+)?(?:of\s+the\s+)?"
    r"(?P<mods>(?:(?:senior|top|former|current|high-ranking|administration|government"
    r"|anonymous|unnamed|knowledgeable|congressional|military|intelligence|industry|party"
    r"|(?:[A-Z][\w.&-]*))\s+){0,3})"
    r"(?P<head>officials?|sources?|people|persons?|diplomats?|aides?|insiders?|spokesm[ae]n"
    r"|spokeswom[ae]n|spokespersons?|staffers?|advisers?|advisors?)\b"
    r"(?P<tail>\s+(?:familiar\s+with|close\s+to|briefed\s+on|with\s+(?:direct\s+)?knowledge\s+of"
    r"|involved\s+in|knowledgeable\s+about|who\s+(?:spoke|asked|declined|requested))"
    rf"(?:\s+(?!(?:{_SPEECH}|and|or|but|who|that|which)\b)[\w'’-]+){{0,5}})?"
)
_GROUP = re.compile(
    r"\b(?P<mods>(?:(?:[A-Z][\w'’.-]*|GOP)\s+){1,3})"
    rf"(?P<head>{_GROUP_NOUNS}|Republicans|Democrats)\b"
)
_LOWER_GROUP = re.compile(
    rf"\b(?P<mods>(?:(?:[A-Za-z][a-z-]+|[A-Z]{{2,5}})\s+){{1,3}})(?P<head>{_GROUP_NOUNS})\b"
)
_ADMIN = re.compile(r"\b(?:the\s+)?(?P<who>[A-Z][\w-]+(?:['’]s)?)\s+administration\b")
_PRONOUN_SPEAKER = re.compile(
    rf"(?:\b(?:he|she)\s+(?:(?:also|later|then|has|had)\s+)?(?:{_SPEECH})\b"
    rf"|\b(?:{_SPEECH})\s+(?:he|she)\b)",
    re.IGNORECASE,
)
_QUOTE_CHARS = '"“”'


# ---------------------------------------------------------------- results


@dataclass
class Mention:
    text: str  # surface form, a span of the sentence text
    sentence: str  # sentence id
    start: int  # offset in the sentence text
    end: int
    kind: str
    key: str  # merge key before alias resolution
    role: str = ""  # words before a title ("Chinese President", "Treasury Secretary")
    titled: bool = False  # had an honorific/title ("Mr Xi")
    weak: bool = False  # a lowercase group phrase inside a sentence: a party only if it recurs


@dataclass
class PartyCandidate:
    name: str
    aliases: list[str]
    kind: str
    sentence_ids: list[str]
    mentions: int = 0
    role: str = ""  # as the article gives it, when a title or apposition says so
    spoken_ids: list[str] = field(default_factory=list)  # sentences where it is the speaker

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "aliases": self.aliases,
            "kind": self.kind,
            "sentence_ids": self.sentence_ids,
            "mentions": self.mentions,
            "role": self.role,
            "spoken_ids": self.spoken_ids,
        }


@dataclass
class PartyMap:
    """Candidates plus who speaks in which sentence (sentence id -> candidate index)."""

    candidates: list[PartyCandidate]
    speakers: dict[str, int]


# ---------------------------------------------------------------- helpers


def _words(text: str) -> list[str]:
    return text.split()


# Capitalised only because they open a sentence ("New rules...", "Former aides..."); inside a
# sentence they belong to a name ("New York Times").
_INITIAL_ONLY = frozenset(
    """new old former top senior big small first second third last next more few many most
    several all some other another each such only even just like let please see read
    related""".split()
)


def _common(word: str) -> bool:
    """A common word, not a name ("The", "But"); acronyms such as "US" never are."""
    return _bare(word) in _COMMON and not (word.isupper() and len(word) > 1)


def _bare(word: str) -> str:
    return word.lower().rstrip(".,").replace("’", "'")


def _strip_possessive(text: str) -> str:
    return re.sub(r"['’]s?$", "", text)


def _singular(word: str) -> str:
    w = word.lower()
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("men",)):
        return w[:-3] + "man"
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        return w[:-1]
    return w


def _is_acronym(word: str) -> bool:
    letters = word.replace(".", "").replace("&", "")
    return 2 <= len(letters) <= 6 and letters.isupper() and letters.isalpha()


def _kind_of(tokens: list[str]) -> str:
    low = [_bare(t) for t in tokens]
    joined = " ".join(low)
    if joined in _COUNTRIES or joined in {a.lower() for a in _US_ALIASES}:
        return GOVERNMENT
    if any(t in _GROUP_WORDS for t in low):
        return GROUP
    if any(t in _GOVERNMENT_WORDS for t in low) and len(low) <= 3:
        return GOVERNMENT
    if any(t in _ORG_HEADS for t in low) or any(_is_acronym(t) for t in tokens):
        return ORGANISATION
    if 2 <= len(tokens) <= 4 and all(t[:1].isupper() for t in tokens):
        return PERSON
    return ORGANISATION if len(tokens) > 1 else "unknown"


# ---------------------------------------------------------------- mention finding


def _trim_run(tokens: list[str], first_in_sentence: bool, lower_words: set[str]) -> list[str]:
    """Drop common words at the edges of a capitalised run."""
    while tokens:
        low = _bare(tokens[0])
        drop = _common(tokens[0]) and (first_in_sentence or low not in _INITIAL_ONLY)
        if first_in_sentence and not drop and low in lower_words and len(tokens) == 1:
            drop = True  # "Critics said...": a sentence-initial word used lowercase elsewhere
        if tokens[0].isupper() and len(tokens[0].replace(".", "")) >= 7:
            drop = True  # a dateline in capitals
        if not drop:
            break
        tokens = tokens[1:]
        first_in_sentence = False
    if tokens and all(t.isupper() for t in tokens) and sum(len(t) for t in tokens) >= 7:
        return []  # "WASHINGTON/NEW YORK": a dateline
    if tokens and tokens[-1].endswith(".") and not _keeps_period(tokens[-1]):
        tokens = [*tokens[:-1], tokens[-1][:-1]]
    while tokens and (
        _bare(tokens[-1]) in _DAYS_MONTHS
        or _bare(tokens[-1]) in {"of", "for", "de", "la", "le", "al"}
        or tokens[-1].isdigit()
    ):
        tokens = tokens[:-1]
    return tokens


def _keeps_period(word: str) -> bool:
    """ "U.S.", "J.", "Jr.", "Inc." keep their full stop; "Scissors." does not."""
    bare = word.rstrip(".")
    return "." in bare or len(bare) == 1 or bare.lower() in {"jr", "sr", "inc", "corp", "co"}


def _split_title(tokens: list[str]) -> tuple[list[str], list[str], bool]:
    """(role words, name words, titled): "Chinese President Xi Jinping" -> role + name."""
    last = -1
    for i, t in enumerate(tokens[:-1]):
        if _bare(t).rstrip(".") in _TITLE_WORDS:
            last = i
    if last < 0:
        return [], tokens, False
    name = tokens[last + 1 :]
    # "Secretary of State Hillary Clinton": skip "of State" after the title
    while name and _bare(name[0]) in {"of", "for"} and len(name) > 2:
        name = name[2:]
    if not name or any(_bare(t) in _ORG_HEADS for t in name):
        return [], tokens, False
    return tokens[: last + 1], name, True


def _sentence_mentions(s: Sentence, lower_words: set[str]) -> list[Mention]:
    text = s.text
    out: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    def add(m: Mention) -> None:
        out.append(m)
        taken.append((m.start, m.end))

    for m in _ANON.finditer(text):
        head = m.group("head")
        mods = m.group("mods").split()
        det = (m.group("det") or "").lower()
        if head.lower() in ("people", "persons", "person") and not m.group("tail"):
            continue
        if not det and not m.group("tail") and not mods:
            continue
        start = m.start()
        while mods and _common(mods[0]):
            start = text.index(mods[0], start) + len(mods[0])
            mods = mods[1:]
            det = ""
        if any(_common(w) for w in mods):
            continue
        if not det and not m.group("tail") and not mods:
            continue
        start = start if start == m.start() else start + 1
        # a named person after "spokesman" is the person, not an unnamed source
        after = text[m.end() : m.end() + 40]
        if re.match(r"\s+[A-Z][a-z]+\s+[A-Z]", after) and not m.group("tail"):
            continue
        if det == "the" and not m.group("tail"):
            continue
        key = "anon:" + " ".join(_bare(w) for w in mods) + " " + _singular(head)
        surface = text[start : m.end()].strip()
        add(Mention(surface, s.id, start, m.end(), ANONYMOUS, key.strip()))

    for m in _ADMIN.finditer(text):
        if not free(m.start(), m.end()):
            continue
        who = _strip_possessive(m.group("who"))
        if _bare(who) in _COMMON:
            continue
        start = m.start("who")
        add(
            Mention(text[start : m.end()], s.id, start, m.end(), GOVERNMENT, f"admin:{who.lower()}")
        )

    for m in _GROUP.finditer(text):
        mods = m.group("mods").split()
        while mods and _common(mods[0]):
            mods = mods[1:]
        if not mods:
            continue
        start = m.start("mods") + m.group("mods").index(mods[0])
        if not free(start, m.end()):
            continue
        if any(_bare(w) in _DAYS_MONTHS for w in mods):
            continue
        words = [*mods, m.group("head")]
        key = "group:" + " ".join(_singular(_strip_possessive(w)) for w in words)
        add(Mention(text[start : m.end()], s.id, start, m.end(), GROUP, key))

    # "social media companies", "GOP committee members": kept when the group recurs, opens a
    # sentence or speaks (see analyse_parties)
    for m in _LOWER_GROUP.finditer(text):
        mods = m.group("mods").split()
        while mods and _common(mods[0]):
            mods = mods[1:]
        if not mods or any(_common(w) or w.endswith("ly") for w in mods):
            continue
        start = m.start("mods") + m.group("mods").index(mods[0])
        end = m.end("head")
        if not free(start, end) or (mods[0][0].isupper() and not mods[0].isupper() and start):
            continue
        head = m.group("head").lower()
        head = "companies" if head in ("firms", "giants") else head  # "tech giants" = companies
        key = "group:" + " ".join(_singular(w) for w in [*mods, head])
        weak = start > 0 and s.index > 1  # the lead sentence names what the story is about
        add(Mention(text[start:end], s.id, start, end, GROUP, key, weak=weak))

    words = re.findall(r"[A-Za-z][\w'’-]{3,}", text)
    headline = len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.7 * len(words)
    for m in _NAME_RUN.finditer(text):
        tokens = m.group(0).split()
        if headline:  # "Trump Jr. Messaged With WikiLeaks": split at common words
            pos = m.start()
            piece: list[str] = []
            for t in [*tokens, ""]:
                if t and not (_bare(t) in lower_words and not _is_acronym(t)):
                    piece.append(t)
                    continue
                trimmed = _trim_run(piece, False, lower_words) if piece else []
                if trimmed:
                    at = text.index(trimmed[0], pos)
                    trimmed[-1] = _strip_possessive(trimmed[-1])
                    if trimmed[-1]:
                        _emit_run(text, s, trimmed, at, free, add, lower_words)
                if t:
                    pos = text.index(t, pos) + len(t)
                piece = []
            continue
        first = m.start() == 0 or bool(re.match(r"^[\"“‘'(\[—–-]+\s*$", text[: m.start()]))
        raw_tokens = tokens
        tokens = _trim_run(tokens, first, lower_words)
        if not tokens:
            continue
        offset = m.start() + m.group(0).index(tokens[0])
        # "Mr. Obama's" -> "Mr. Obama"
        tokens[-1] = _strip_possessive(tokens[-1])
        if not tokens[-1]:
            continue
        del raw_tokens
        _emit_run(text, s, tokens, offset, free, add, lower_words)
    out.sort(key=lambda x: x.start)
    return out


def _emit_run(text, s, tokens, offset, free, add, lower_words) -> None:  # type: ignore[no-untyped-def]
    # "Amy Klobuchar of Minnesota": a person's run ends before "of"; "Bank of America" does not
    for i, t in enumerate(tokens[1:-1], start=1):
        if (
            t in ("of", "for")
            and _bare(tokens[i - 1]) not in _ORG_HEADS | _TITLE_WORDS
            and not any(_bare(x) in _ORG_HEADS for x in tokens[:i])
        ):
            tokens = tokens[:i]
            break
    # "the WikiLeaks Twitter account": the account's owner and the platform, not one name
    if len(tokens) > 1 and tokens[-1] in _PLATFORMS:
        at = text.find(" ".join(tokens), offset)
        after = text[at + len(" ".join(tokens)) :].split()[:1] if at >= 0 else []
        if after and after[0][:1].islower():
            _emit_run(text, s, tokens[:-1], offset, free, add, lower_words)
            _emit_run(text, s, tokens[-1:], at + len(" ".join(tokens[:-1])), free, add, lower_words)
            return
    role, name, titled = _split_title(tokens)
    surface = " ".join(tokens)
    start = text.find(surface, offset)
    if start < 0:
        start = offset
    end = start + len(surface)
    if not free(start, end):
        return
    low = [_bare(t) for t in name]
    if all(
        (t in _COMMON and not w.isupper()) or t in _TITLE_WORDS
        for t, w in zip(low, name, strict=True)
    ):
        return
    if len(name) == 1 and low[0] in _DEMONYMS and not titled:
        return  # "Chinese", "American": adjectives here, the country is its own party
    if titled:
        suffix = low[-1] in _SUFFIXES
        surname = low[-2] if suffix and len(low) > 1 else low[-1]
        key = f"person:{surname}" + (" jr" if suffix else "")
        add(
            Mention(
                surface,
                s.id,
                start,
                end,
                PERSON,
                key,
                role=" ".join(role),
                titled=True,
            )
        )
        return
    if low[-1] in _EVENT_HEADS or low[-1] in _PLACE_HEADS or low[0] in _DAYS_MONTHS:
        return
    if len(name) == 1 and low[0] in lower_words and not _is_acronym(name[0]):
        return  # a capitalised common word ("Summit", "Internet")
    kind = _kind_of(name)
    joined = " ".join(low)
    if joined in {a.lower() for a in _US_ALIASES}:
        key = "gov:us"
    elif kind == PERSON:
        suffix = low[-1] in _SUFFIXES
        surname = low[-2] if suffix and len(low) > 1 else low[-1]
        key = f"person:{surname}" + (" jr" if suffix else "")
    else:
        key = f"{kind}:{joined}"
    add(Mention(surface, s.id, start, end, kind, key))
    acr = _ACRONYM_AFTER.match(text, end)
    if acr and kind != PERSON:
        a, b = acr.start(1), acr.end(1)
        if free(a, b):
            add(Mention(acr.group(1), s.id, a, b, kind, key))


# ---------------------------------------------------------------- merging


@dataclass
class _Party:
    key: str
    kind: str
    mentions: list[Mention] = field(default_factory=list)
    first_tokens: set[str] = field(default_factory=set)


def _merge(mentions: list[Mention]) -> tuple[list[_Party], dict[int, int]]:
    """Group mentions into parties. Returns parties and mention index -> party index."""
    parties: list[_Party] = []
    by_key: dict[str, list[int]] = {}  # merge key -> parties with that key
    assign: dict[int, int] = {}
    full_names: dict[int, list[str]] = {}  # party -> its multi-word person names
    recent: dict[str, int] = {}  # last party a token referred to (surname or given name)

    def new_party(m: Mention) -> int:
        parties.append(_Party(m.key, m.kind))
        by_key.setdefault(m.key, []).append(len(parties) - 1)
        return len(parties) - 1

    def person_words(m: Mention) -> list[str]:
        _, name, _ = _split_title(m.text.split())
        return [_bare(t) for t in name if _bare(t) not in _SUFFIXES]

    # Pass 1: persons with a full name (two or more words) define the people.
    for i, m in enumerate(mentions):
        if m.kind != PERSON:
            continue
        words = person_words(m)
        if len(words) < 2:
            continue
        same = [
            p
            for p in by_key.get(m.key, [])
            if any(n.split()[0] == words[0] or len(n.split()) < 2 for n in full_names.get(p, []))
        ]
        idx = same[0] if same else new_party(m)
        full_names.setdefault(idx, []).append(" ".join(words))
        assign[i] = idx

    surnames = {n.split()[-1] for names in full_names.values() for n in names}
    given: dict[str, set[int]] = {}
    for p, names in full_names.items():
        for n in names:
            given.setdefault(n.split()[0], set()).add(p)

    # Pass 2: everything else, in article order; bare surnames join the most recent full name.
    for i, m in enumerate(mentions):
        if i in assign:
            recent_words = person_words(m)
            for w in recent_words:
                recent[w] = assign[i]
            continue
        idx = -1
        if m.kind in (PERSON, "unknown", ORGANISATION):
            words = person_words(m) if m.kind == PERSON else [_bare(t) for t in m.text.split()]
            if len(words) == 1:
                w = words[0]
                by_surname = [p for p, names in full_names.items() if names[0].split()[-1] == w]
                by_given = [
                    p
                    for p, names in full_names.items()
                    if m.titled and any(n.split()[0] == w for n in names)
                ]
                if not by_given and w not in surnames and len(given.get(w, ())) == 1:
                    by_given = list(given[w])  # "Malia" after "Malia Obama"
                pool = by_surname or by_given
                if pool:
                    idx = recent[w] if recent.get(w) in pool else pool[0]
                elif m.kind == "unknown" and f"person:{w}" in by_key:
                    idx = by_key[f"person:{w}"][0]  # "Trump" after "President Trump"
                elif m.kind == "unknown" and any(
                    mm.kind == PERSON and mm.key == f"person:{w}" for mm in mentions
                ):
                    m.key = f"person:{w}"  # "Trump" before "President Trump"
        if idx < 0:
            existing = by_key.get(m.key)
            idx = existing[0] if existing else new_party(m)
        assign[i] = idx
        for w in [_bare(t) for t in m.text.split()]:
            recent[w] = idx
    for i, idx in assign.items():
        parties[idx].mentions.append(mentions[i])
        if mentions[i].kind == PERSON or mentions[i].titled:
            parties[idx].kind = PERSON
    return parties, assign


def _best_name(p: _Party) -> str:
    """The fullest title-less surface form ("Donald Trump" over "Mr Trump")."""
    forms = Counter(m.text for m in p.mentions)
    if p.kind == PERSON:
        untitled = []
        for form in forms:
            _role, name, titled = _split_title(form.split())
            untitled.append(" ".join(name) if titled else form)
        best = max(untitled, key=lambda f: (len(f.split()), forms.get(f, 0), len(f)))
        return best
    if p.kind == ANONYMOUS:
        return max(forms, key=lambda f: (len(f), forms[f]))
    return max(forms, key=lambda f: (forms[f], len(f)))


def _is_place(p: _Party, article: Article) -> bool:
    if p.kind in (PERSON, ANONYMOUS, GROUP) or any(m.titled for m in p.mentions):
        return False
    for m in p.mentions:
        before = article.by_id[m.sentence].text[: m.start].split()
        if not before or _bare(before[-1]) not in _LOCATIVE:
            return False
    return True


# ---------------------------------------------------------------- speakers


_SPEECH_VERB = re.compile(rf"\b(?:{_SPEECH}|according\s+to)\b")
_PREPOSITIONS = frozenset(
    "in at of for with from to by on about against near into over under between among".split()
)


def _quote_mask(text: str, inside: bool) -> list[bool]:
    """For each character: is it inside a quotation? `inside` carries an open quote in."""
    mask = []
    for ch in text:
        if ch == "“":
            inside = True
        elif ch == "”":
            mask.append(True)
            inside = False
            continue
        elif ch == '"':
            mask.append(True)
            inside = not inside
            continue
        mask.append(inside)
    return mask


def _speaker_in(text: str, ms: list[tuple[int, Mention]], mask: list[bool]) -> int | None:
    """Index (into ms) of the mention that speaks in this sentence, if any."""
    for v in _SPEECH_VERB.finditer(text):
        if mask[v.start()]:
            continue  # a verb inside a quotation
        before = text[: v.start()].rstrip()
        if v.group(0).startswith("according"):
            after = [k for k, (_, m) in enumerate(ms) if m.start >= v.end()]
            if after and ms[after[0]][1].start - v.end() <= 6:
                return after[0]
            continue
        # '"...," said Dr Scissors' / ', said X': the speaker follows the verb
        if before.endswith((",", '"', "”", "’", "'")):
            after = [k for k, (_, m) in enumerate(ms) if m.start >= v.end()]
            if after and ms[after[0]][1].start - v.end() <= 6:
                return after[0]
        # 'X said' / 'X, a ..., said': the earliest subject-like mention of the clause
        clause_start = max(
            [i + 1 for i, inq in enumerate(mask[: v.start()]) if inq] + [0],
        )
        for k, (_, m) in enumerate(ms):
            if m.start < clause_start or m.end > v.start():
                continue
            words = text[: m.start].split()
            if words and _bare(words[-1]) in _PREPOSITIONS:
                continue
            gap = text[m.end : v.start()]
            if '"' in gap or "“" in gap or "”" in gap:
                continue
            return k
    return None


def _speakers(
    article: Article, mentions: list[Mention], assign: dict[int, int], parties: list[_Party]
) -> dict[str, int]:
    """Sentence id -> party that speaks in it."""
    by_sentence: dict[str, list[int]] = {}
    for i, m in enumerate(mentions):
        by_sentence.setdefault(m.sentence, []).append(i)
    speakers: dict[str, int] = {}
    last_person: int | None = None
    inside = False  # a quotation left open by the previous sentence
    prev_speaker: int | None = None
    prev_para = -1
    for s in article.sentences:
        text = s.text
        if s.paragraph != prev_para:
            inside = False  # a new paragraph re-opens a continued quotation
        mask = _quote_mask(text, inside)
        ms = [(i, mentions[i]) for i in by_sentence.get(s.id, [])]
        k = _speaker_in(text, ms, mask)
        found: int | None = assign[ms[k][0]] if k is not None else None
        if found is None and last_person is not None:
            for pm in _PRONOUN_SPEAKER.finditer(text):
                if not mask[pm.start()]:
                    found = last_person
                    break
        quoted = any(c in text for c in _QUOTE_CHARS)
        if (
            found is None
            and prev_speaker is not None
            and (inside or (quoted and text[:1] in '"“' and s.paragraph - prev_para <= 1))
        ):
            found = prev_speaker
        if found is not None:
            speakers[s.id] = found
        persons = [assign[i] for i, _m in ms if parties[assign[i]].kind == PERSON]
        if persons:
            last_person = persons[0]  # the subject, usually: "he said" refers back to it
        if found is not None and parties[found].kind == PERSON:
            last_person = found
        inside = bool(mask) and mask[-1] and text[-1] not in '"”'
        prev_speaker = found if found is not None else (prev_speaker if inside else None)
        prev_para = s.paragraph
    return speakers


# ---------------------------------------------------------------- the entry points


def quoted_spans(article: Article) -> dict[str, list[tuple[int, int]]]:
    """Sentence id -> (start, end) offsets in article.text of the words inside quotation marks.

    A quotation left open at a sentence end continues into the next sentence of the paragraph.
    """
    out: dict[str, list[tuple[int, int]]] = {}
    inside = False
    prev_para = -1
    for s in article.sentences:
        if s.paragraph != prev_para:
            inside = False
        prev_para = s.paragraph
        spans: list[tuple[int, int]] = []
        start = s.start if inside else -1
        for i in range(s.start, s.end):
            ch = article.text[i]
            opening = ch == "“" or (ch == '"' and not inside)
            closing = ch == "”" or (ch == '"' and inside)
            if opening and not inside:
                inside, start = True, i + 1
            elif closing and inside:
                inside = False
                if i > start >= 0:
                    spans.append((start, i))
        if inside and s.end > start >= 0:
            spans.append((start, s.end))
        cleaned = []
        for a, b in spans:
            while a < b and (article.text[a].isspace() or article.text[a] in '“"'):
                a += 1
            while b > a and article.text[b - 1].isspace():
                b -= 1
            if b > a and any(c.isalnum() for c in article.text[a:b]):
                cleaned.append((a, b))
        if cleaned:
            out[s.id] = cleaned
    return out


def _lower_words(article: Article) -> set[str]:
    return {w.lower() for w in re.findall(r"(?<![\w'’])[a-z][\w'’-]*", article.text)}


def analyse_parties(article: Article) -> PartyMap:
    lower_words = _lower_words(article)
    mentions: list[Mention] = []
    for s in article.sentences:
        mentions.extend(_sentence_mentions(s, lower_words))
    parties, assign = _merge(mentions)
    speakers = _speakers(article, mentions, assign, parties)

    keep: list[int] = []
    for idx, p in enumerate(parties):
        if not p.mentions or _is_place(p, article):
            continue
        lonely = len(p.mentions) < 2 and idx not in speakers.values()
        if lonely and (p.kind == "unknown" or all(m.weak for m in p.mentions)):
            continue
        keep.append(idx)
    # "US", "U.S." and "United States" are one party
    candidates: list[PartyCandidate] = []
    index_of: dict[int, int] = {}
    for idx in keep:
        p = parties[idx]
        ids = sorted({m.sentence for m in p.mentions}, key=lambda i: article.by_id[i].index)
        aliases = list(dict.fromkeys(m.text for m in p.mentions))
        name = _best_name(p)
        if name not in aliases:
            aliases.insert(0, name)
        roles = [m.role for m in p.mentions if m.role and _bare(m.role) not in _HONORIFICS]
        spoken = sorted(
            (sid for sid, who in speakers.items() if who == idx),
            key=lambda i: article.by_id[i].index,
        )
        kind = p.kind if p.kind != "unknown" else (PERSON if spoken else ORGANISATION)
        index_of[idx] = len(candidates)
        candidates.append(
            PartyCandidate(
                name=name,
                aliases=aliases,
                kind=kind,
                sentence_ids=sorted(set(ids) | set(spoken), key=lambda i: article.by_id[i].index),
                mentions=len(p.mentions),
                role=Counter(roles).most_common(1)[0][0] if roles else _apposition(article, p),
                spoken_ids=spoken,
            )
        )
    order = sorted(
        range(len(candidates)),
        key=lambda i: (
            -len(candidates[i].sentence_ids),
            -candidates[i].mentions,
            article.by_id[candidates[i].sentence_ids[0]].index,
        ),
    )
    rank = {old: new for new, old in enumerate(order)}
    ranked = [candidates[i] for i in order]
    spoken_by = {sid: rank[index_of[who]] for sid, who in speakers.items() if who in index_of}
    return PartyMap(ranked, spoken_by)


def _apposition(article: Article, p: _Party) -> str:
    """ "Dr Derek Scissors, a China expert at the American Enterprise Institute," -> role."""
    for m in p.mentions:
        text = article.by_id[m.sentence].text
        hit = re.match(r",\s+((?:a|an|the)\s+[^,\"“”]{3,120}?)(?:,|\.|\s+said\b)", text[m.end :])
        if hit:
            return hit.group(1)
    return ""


def find_parties(article: Article) -> list[PartyCandidate]:
    """Party candidates, most-mentioned first. Pure: no model involved."""
    return analyse_parties(article).candidates
