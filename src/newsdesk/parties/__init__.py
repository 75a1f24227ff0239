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

The package, by job: `vocab` (vocabularies, patterns, word tests), `results`, `mentions`
(mention finding), `merging`, `speakers` and `analyse` (the entry points). This module
re-exports what importers use.
"""

from newsdesk.parties.analyse import analyse_parties, find_parties, quoted_spans
from newsdesk.parties.results import Mention, PartyCandidate, PartyMap
from newsdesk.parties.vocab import ANONYMOUS, GOVERNMENT, GROUP, ORGANISATION, PERSON

__all__ = [
    "ANONYMOUS",
    "GOVERNMENT",
    "GROUP",
    "ORGANISATION",
    "PERSON",
    "Mention",
    "PartyCandidate",
    "PartyMap",
    "analyse_parties",
    "find_parties",
    "quoted_spans",
]
