"""Attribution: who says each sentence, from the party finder and report clauses (no model)."""

from __future__ import annotations

import pytest

from newsdesk.article import Article, parse_article
from newsdesk.attribution import NARRATION, Source, sources, unattributed, with_attribution
from newsdesk.citations import resolve


@pytest.fixture(scope="module")
def table(example_article: Article) -> dict[str, Source]:
    return sources(example_article)


def test_named_speaker_with_the_words_the_sentence_uses(table: dict[str, Source]) -> None:
    s3 = table["S3"]  # "Mr Trump said then that China would restart ..."
    assert (s3.kind, s3.party, s3.said_as, s3.label) == (
        "named",
        "Donald Trump",
        "Mr Trump",
        "Mr Trump said",
    )


def test_narration_is_the_reporter(table: dict[str, Source]) -> None:
    assert table["S2"] == NARRATION  # "... Donald Trump agreed to suspend ...": no verb of saying
    assert table["S2"].label == "the reporter"
    assert not table["S17"].reported  # "... no purchases have materialised."


def test_a_quotation_that_runs_on_keeps_its_speaker(table: dict[str, Source]) -> None:
    # S9 '"We've had ...," said Dr Derek Scissors'; S10 continues the quotation, unnamed in it
    assert table["S10"].party == "Derek Scissors"
    assert table["S10"].label == "Dr Scissors said"
    assert table["S13"].party == "Derek Scissors"  # '... for months," added Dr Scissors.'


def test_unnamed_groups_described_differently_stay_apart(table: dict[str, Source]) -> None:
    assert table["S4"].kind == table["S15"].kind == "unnamed"
    assert table["S4"].party == "sources familiar with the talks"
    assert table["S15"].party == "Three sources familiar with the state of negotiations"
    # "One of the sources" refers back to the group last described
    assert table["S16"].party == table["S15"].party
    assert table["S16"].said_as == "One of the sources"


@pytest.mark.parametrize(
    ("sentence", "kind", "who"),
    [
        ("The deal covers $12 million of soybeans, officials said.", "unnamed", "officials"),
        ("Two people died in the blaze, police said on Monday.", "official", "police"),
        ("The plant will close next year, according to the ministry.", "official", "the ministry"),
        ('"We will win the cup," said the coach.', "named", "the coach"),
    ],
)
def test_closing_report_clauses(sentence: str, kind: str, who: str) -> None:
    article = parse_article(f"The city was quiet on Sunday. {sentence}", "t")
    source = sources(article)["S2"]
    assert (source.kind, source.said_as) == (kind, who)
    assert sources(article)["S1"] == NARRATION


def test_citations_carry_their_source(example_article: Article) -> None:
    cited = resolve(["S3", "S2"], example_article)
    assert [c.source.label for c in cited] == ["the reporter", "Mr Trump said"]
    assert cited[1].to_dict()["source"] == {
        "kind": "named",
        "party": "Donald Trump",
        "said_as": "Mr Trump",
        "label": "Mr Trump said",
    }


def test_a_claim_stated_as_fact_that_only_someone_says(table: dict[str, Source]) -> None:
    claim = "China would restart large purchases of US agricultural commodities."
    assert unattributed(claim, [table["S3"]]) == table["S3"]
    assert unattributed(f"Mr Trump said {claim}", [table["S3"]]) is None
    assert unattributed(f"According to Donald Trump, {claim}", [table["S3"]]) is None
    assert unattributed(claim, [table["S3"], table["S2"]]) is None  # the reporter says part of it
    assert unattributed("Sources say no deal is close.", [table["S15"]]) is None


def test_an_answer_keeps_its_source(table: dict[str, Source]) -> None:
    assert (
        with_attribution("China would restart large purchases", table["S3"])
        == "According to Mr Trump, China would restart large purchases"
    )
    assert (
        with_attribution("To consider purchases within a final deal", table["S16"])
        == "According to one of the sources, to consider purchases within a final deal"
    )


# Written for this test (not from any evaluation data): the speaker is the phrase at the verb.
STAGE = (
    "Dozens of stagehands ran for their lives when a lighting rig fell onto a stage in a Halifax "
    "park on Saturday, emergency workers said.\n\n"
    "The three injured crew members were taken to a hospital, Marjorie Keddy said.\n\n"
    '"Two people were hurt badly," Halifax police Constable Omar Pillai said.\n\n'
    "Firefighters found one man under the rig, said Halifax fire Captain Lena Dubois.\n\n"
    "One man suffered a broken arm, according to Halifax police.\n\n"
    "Police said he was in his 40s.\n\n"
    "Keddy's representative said the festival would go on.\n\n"
    "The rig was built for a concert by Radiohead, Pillai said.\n\n"
    "Marjorie Keddy, the festival's director, visited the hospital."
)


@pytest.fixture(scope="module")
def stage() -> dict[str, Source]:
    return sources(parse_article(STAGE, "stage"))


@pytest.mark.parametrize(
    ("sid", "party", "kind"),
    [
        ("S2", "Marjorie Keddy", "named"),  # ", Keddy said": not the crew members before it
        ("S3", "Omar Pillai", "named"),  # the constable, not the city before "police"
        ("S4", "Lena Dubois", "named"),  # "said Halifax fire Captain Lena Dubois"
        ("S5", "Halifax police", "official"),  # "according to Halifax police"
        ("S6", "Police", "official"),  # "Police said he ...": not the last person named
        ("S7", "Keddy's representative", "unnamed"),  # the representative, not Keddy
        ("S8", "Omar Pillai", "named"),  # ", Pillai said": not Radiohead
    ],
)
def test_the_speaker_is_the_phrase_at_the_verb(
    stage: dict[str, Source], sid: str, party: str, kind: str
) -> None:
    assert stage[sid].kind == kind
    got = stage[sid].party
    assert got and (party in got or got in party), stage[sid]
    assert stage["S9"] == NARRATION  # "visited": no verb of saying
