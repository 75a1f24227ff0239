"""Vocabularies, patterns and the word tests over them: what marks a title, a common word, an
organisation, a government, a group, an unnamed source or speech; the party kinds."""

from __future__ import annotations

import re

PERSON = "person"
GOVERNMENT = "government"
ORGANISATION = "organisation"
GROUP = "group"
ANONYMOUS = "anonymous source"

HONORIFICS = frozenset("mr mrs ms miss mx dr prof sir dame lady lord".split())
TITLE_WORDS = (
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
    | HONORIFICS
)
NAME_SUFFIXES = frozenset("jr jr. sr sr. ii iii iv".split())
# Words that begin a sentence with a capital without being a name.
COMMON_WORDS = frozenset(
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
DAYS_AND_MONTHS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december jan feb mar apr jun jul aug sep
    sept oct nov dec""".split()
)
ORG_HEADS = frozenset(
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
COUNTRIES = frozenset(
    """us u.s. usa u.s.a. america united states china beijing washington russia moscow japan
    tokyo india iran israel britain uk u.k. france germany canada mexico brazil italy spain
    ukraine kyiv kiev taiwan korea north korea south korea pakistan afghanistan iraq syria
    turkey egypt saudi arabia australia eu european union nato un united nations opec vatican
    cuba venezuela singapore malaysia indonesia philippines vietnam thailand nigeria kenya
    ethiopia palestine gaza hamas hezbollah taliban colorado nebraska oklahoma texas california
    florida arizona ohio""".split()
) | frozenset(
    # capitals that stand for their governments ("New Delhi wants more"), further countries,
    # and the US states, so that none of them is taken for a person's name; comma-separated,
    # because most are more than one word
    name.strip()
    for name in """new delhi, delhi, london, paris, berlin, rome, madrid, seoul, pyongyang, tehran,
    jerusalem, tel aviv, ottawa, canberra, brussels, islamabad, kabul, baghdad, damascus, ankara,
    cairo, riyadh, taipei, hong kong, havana, caracas, manila, hanoi, bangkok, jakarta, nairobi,
    abuja, pretoria, buenos aires, brasilia, bogota, lima, santiago, warsaw, minsk, tbilisi,
    doha, dubai, beirut, amman, sanaa, tripoli, khartoum, north korea, south korea,
    saudi arabia, united kingdom, ireland, scotland, wales, england, netherlands, belgium,
    switzerland, austria, poland, sweden, norway, denmark, finland, greece, portugal, hungary,
    romania, serbia, belarus, georgia, armenia, azerbaijan, kazakhstan, qatar, uae, lebanon,
    jordan, yemen, libya, sudan, somalia, ghana, argentina, chile, colombia, peru, bangladesh,
    myanmar, nepal, sri lanka, south africa, new zealand, alabama, alaska, arkansas,
    connecticut, delaware, hawaii, idaho, illinois, indiana, iowa, kansas, kentucky, louisiana,
    maine, maryland, massachusetts, michigan, minnesota, mississippi, missouri, montana, nevada,
    new hampshire, new jersey, new mexico, new york, north carolina, north dakota, oregon,
    pennsylvania, rhode island, south carolina, south dakota, tennessee, utah, vermont,
    virginia, west virginia, wisconsin, wyoming""".split(",")
)
US_ALIASES = ("US", "U.S.", "U.S", "USA", "U.S.A.", "United States", "America")
EVENT_HEADS = frozenset(
    """summit conference games olympics cup war act bill amendment day forum festival awards
    election elections primary debate convention week month year street avenue road river
    island mountain airport station square park hall stadium hospital prize treaty accord
    agreement law constitution code rule rules order protocol doctrine plan initiative""".split()
)
DEMONYMS = frozenset(
    """american chinese japanese british russian french german indian iranian israeli
    palestinian korean north-korean south-korean canadian mexican brazilian italian spanish
    ukrainian taiwanese pakistani afghan iraqi syrian turkish egyptian saudi australian
    european african asian arab western eastern democratic republican conservative liberal
    cuban venezuelan vietnamese english irish
    scottish welsh dutch swedish polish greek muslim christian jewish catholic""".split()
)
PLATFORMS = frozenset("Twitter Facebook Instagram YouTube TikTok Telegram WhatsApp".split())
PLACE_HEADS = frozenset("city county province district region valley bay coast".split())
LOCATIVE_WORDS = frozenset("in at near across throughout outside inside around into via".split())
_GROUP_NOUNS = (
    "officials|lawmakers|leaders|members|senators|legislators|congressmen|candidates|activists"
    "|protesters|protestors|voters|critics|supporters|opponents|advocates|prosecutors"
    "|investigators|analysts|economists|experts|negotiators|diplomats|residents|workers"
    "|employees|executives|regulators|authorities|officers|troops|forces|students|parents"
    "|teachers|scientists|lawyers|attorneys|judges|donors|strategists|aides|allies|watchers"
    "|companies|firms|giants|groups|organizations|organisations|governments|states|nations"
)
GROUP_NOUN_WORDS = frozenset(_GROUP_NOUNS.split("|"))
_GROUP_WORDS = frozenset(
    """republicans democrats conservatives liberals progressives independents americans
    palestinians israelis europeans evangelicals catholics muslims christians jews tories
    socialists libertarians""".split()
)
SPEECH_VERBS = (
    r"said|says|say|told|tells|added|adds|asked|asks|stated|states|wrote|writes|argued|argues"
    r"|warned|warns|insisted|insists|noted|notes|explained|explains|declared|declares|announced"
    r"|announces|tweeted|tweets|claimed|claims|contended|contends|acknowledged|acknowledges"
    r"|conceded|suggested|suggests|recalled|replied|responded|countered|complained|predicted"
    r"|maintained|maintains|urged|urges|vowed|vows|denied|denies|insisted|admitted|admits"
    r"|testified|charged|stressed|emphasized|emphasised|believes|believed|thinks|thought"
    r"|pointed out|went on|continued|cautioned|wondered|joked|quipped|posted|accused|accuses"
    r"|promised|promises|criticized|criticised|praised|defended|defends|called|calls|saying"
)

_CAP = r"(?:[A-Z]\.(?:[A-Z]\.)*[A-Z]\b\.?|[A-Z](?:[a-z]+[A-Z])?[\w'’&-]*\.?|\d+(?=\s+[A-Z]))"
_CONNECTOR = r"(?:of|for|de|da|del|della|di|van|von|der|den|bin|ibn|al|el|le|la|du|y)"
NAME_RUN = re.compile(rf"(?<![\w'’-]){_CAP}(?:\s+(?:{_CONNECTOR}\s+)?{_CAP})*")
ACRONYM_AFTER = re.compile(r"\s*\(([A-Z][A-Z.&-]{1,9})\)")
UNNAMED_SOURCE = re.compile(
    r"\b(?:(?P<det>[Aa]n?|[Oo]ne|[Tt]wo|[Tt]hree|[Ff]our|[Ff]ive|[Ss]everal|[Ss]ome|[Mm]any"
    r"|[Oo]ther|[Mm]ultiple|[Tt]he|\d+)\s+)?(?:of\s+the\s+)?"
    r"(?P<mods>(?:(?:senior|top|former|current|high-ranking|administration|government"
    r"|anonymous|unnamed|knowledgeable|congressional|military|intelligence|industry|party"
    r"|(?:[A-Z][\w.&-]*))\s+){0,3})"
    r"(?P<head>officials?|sources?|people|persons?|diplomats?|aides?|insiders?|spokesm[ae]n"
    r"|spokeswom[ae]n|spokespersons?|staffers?|advisers?|advisors?)\b"
    r"(?P<tail>\s+(?:familiar\s+with|close\s+to|briefed\s+on|with\s+(?:direct\s+)?knowledge\s+of"
    r"|involved\s+in|knowledgeable\s+about|who\s+(?:spoke|asked|declined|requested))"
    rf"(?:\s+(?!(?:{SPEECH_VERBS}|and|or|but|who|that|which)\b)[\w'’-]+){{0,5}})?"
)
GROUP_PHRASE = re.compile(
    r"\b(?P<mods>(?:(?:[A-Z][\w'’.-]*|GOP)\s+){1,3})"
    rf"(?P<head>{_GROUP_NOUNS}|Republicans|Democrats)\b"
)
LOWER_GROUP_PHRASE = re.compile(
    rf"\b(?P<mods>(?:(?:[A-Za-z][a-z-]+|[A-Z]{{2,5}})\s+){{1,3}})(?P<head>{_GROUP_NOUNS})\b"
)
ADMINISTRATION = re.compile(r"\b(?:the\s+)?(?P<who>[A-Z][\w-]+(?:['’]s)?)\s+administration\b")
PRONOUN_SPEAKER = re.compile(
    rf"(?:\b(?:he|she)\s+(?:(?:also|later|then|has|had)\s+)?(?:{SPEECH_VERBS})\b"
    rf"|\b(?:{SPEECH_VERBS})\s+(?:he|she)\b)",
    re.IGNORECASE,
)
QUOTE_CHARS = '"“”'
# A speaker written as a body or a role, not a name: "Toronto police", "Gurlitt's
# representative", "a spokesman". The name beside it is not who speaks.
SPEAKER_NOUN = re.compile(
    r"\b(?:police|ministry|department|government|agency|authorities|court|army|military|"
    r"office|council|commission|committee|officials?|sources?|spokes(?:man|woman|person)|"
    r"representatives?|aides?|lawyers?|attorneys?|staff|union|statement)\b",
    re.IGNORECASE,
)


# Capitalised only because they open a sentence ("New rules...", "Former aides..."); inside a
# sentence they belong to a name ("New York Times").
INITIAL_ONLY_WORDS = frozenset(
    """new old former top senior big small first second third last next more few many most
    several all some other another each such only even just like let please see read
    related""".split()
)


def is_common_word(word: str) -> bool:
    """A common word, not a name ("The", "But"); acronyms such as "US" never are."""
    return bare_word(word) in COMMON_WORDS and not (word.isupper() and len(word) > 1)


def bare_word(word: str) -> str:
    return word.lower().rstrip(".,").replace("’", "'")


def strip_possessive(text: str) -> str:
    return re.sub(r"['’]s?$", "", text)


def singular(word: str) -> str:
    w = word.lower()
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("men",)):
        return w[:-3] + "man"
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        return w[:-1]
    return w


def is_acronym(word: str) -> bool:
    letters = word.replace(".", "").replace("&", "")
    return 2 <= len(letters) <= 6 and letters.isupper() and letters.isalpha()


def kind_of(tokens: list[str]) -> str:
    low = [bare_word(t) for t in tokens]
    joined = " ".join(low)
    if joined in COUNTRIES or joined in {a.lower() for a in US_ALIASES}:
        return GOVERNMENT
    if any(t in _GROUP_WORDS for t in low):
        return GROUP
    if any(t in _GOVERNMENT_WORDS for t in low) and len(low) <= 3:
        return GOVERNMENT
    if any(t in ORG_HEADS for t in low) or any(is_acronym(t) for t in tokens):
        return ORGANISATION
    if 2 <= len(tokens) <= 4 and all(t[:1].isupper() for t in tokens):
        return PERSON
    return ORGANISATION if len(tokens) > 1 else "unknown"
