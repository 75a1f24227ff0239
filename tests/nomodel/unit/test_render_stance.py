"""Terminal rendering of a stance result (`render.stance`): parties, evidence, notes, escaping."""

from __future__ import annotations

from typing import Any

import pytest
from rich.console import Console

from newsdesk.article import Article, parse_article
from newsdesk.citations import resolve
from newsdesk.tasks.stance.render import print_party, print_stance
from newsdesk.tasks.stance.results import Claim, Disagreement, Party, Quote, Side, StanceResult

TEXT = (
    'The mayor said: "We will build the bridge."\n\n'
    "Residents oppose the bridge, their group said.\n\n"
    "The council has not voted yet.\n\n"
    "A sign read [bold]STOP[/bold] at the site.\n"
)


@pytest.fixture(scope="module")
def article() -> Article:
    return parse_article(TEXT)


def render(fn: Any, *args: Any) -> str:
    console = Console(record=True, width=100, color_system=None)
    fn(console, *args)
    return console.export_text()


def mayor(article: Article) -> Party:
    s1 = article.by_id["S1"]
    inner = "We will build the bridge."
    start = s1.start + s1.text.index(inner)
    return Party(
        name="the mayor",
        aliases=["the mayor", "Mayor Lee"],
        kind="person",
        role="city mayor",
        position="wants the bridge built",
        stance="supports",
        quotes=[Quote(id="S1", text=inner, start=start, end=start + len(inner))],
        evidence=resolve(["S1"], article),
        analysed=True,
    )


def residents(article: Article) -> Party:
    return Party(
        name="Residents",
        aliases=["Residents"],
        kind="group",
        stance="opposes",
        claims_by_others=[Claim(id="S2", text=article.by_id["S2"].text, by="their group")],
        evidence=resolve(["S2"], article),
        analysed=True,
    )


def result(article: Article, **kw: Any) -> StanceResult:
    fields: dict[str, Any] = {
        "central_issue": "whether to build the bridge",
        "parties": [mayor(article), residents(article)],
    }
    fields.update(kw)
    return StanceResult(**fields)


def test_article_has_the_sentences_the_tests_cite(article: Article) -> None:
    assert [s.id for s in article.sentences] == ["S1", "S2", "S3", "S4"]


def test_party_name_kind_stance_role_position_and_evidence_ids(article: Article) -> None:
    lines = render(print_party, mayor(article)).splitlines()
    assert lines[0] == "the mayor (person) supports"
    assert "  also: Mayor Lee" in lines  # the name itself is not repeated as an alias
    assert "  role: city mayor" in lines
    assert "  position: wants the bridge built [S1]" in lines
    assert "  says: “We will build the bridge.” [S1]" in lines


def test_party_without_position_lists_its_evidence(article: Article) -> None:
    lines = render(print_party, residents(article)).splitlines()
    assert lines[0] == "Residents (group) opposes"
    assert "  evidence: [S2]" in lines
    assert not any(line.startswith("  also:") or line.startswith("  role:") for line in lines)
    assert f"  per their group [S2]: {article.by_id['S2'].text}" in lines


def test_party_with_unknown_stance_shows_only_its_name(article: Article) -> None:
    p = residents(article).model_copy(update={"stance": "sideways"})
    assert render(print_party, p).splitlines()[0] == "Residents"


def test_stance_shows_issue_parties_and_cited_sentences_verbatim(article: Article) -> None:
    out = render(print_stance, result(article), article)
    lines = out.splitlines()
    assert lines[0] == "Central issue: whether to build the bridge"
    assert "the mayor (person) supports" in lines
    assert "Residents (group) opposes" in lines
    evidence = lines.index("Evidence")
    assert lines[evidence + 1 : evidence + 3] == [
        f"  [S1] {article.by_id['S1'].text}",
        f"  [S2] {article.by_id['S2'].text}",
    ]
    assert "Disagreements" not in out
    assert "Also mentioned" not in out


def test_evidence_is_in_article_order_and_listed_once(article: Article) -> None:
    late = residents(article).model_copy(update={"evidence": resolve(["S3", "S1"], article)})
    out = render(print_stance, result(article, parties=[late, mayor(article)]), article)
    listed = [line for line in out.splitlines() if line.startswith("  [S")]
    assert listed == [
        f"  [S1] {article.by_id['S1'].text}",
        f"  [S3] {article.by_id['S3'].text}",
    ]


def test_disagreements_show_each_side_with_its_sentences(article: Article) -> None:
    d = Disagreement(
        topic="the bridge",
        sides=[
            Side(party="the mayor", evidence=["S1"]),
            Side(party="Residents", evidence=["S2", "S99"]),
        ],
        context=["S3"],
    )
    out = render(print_stance, result(article, disagreements=[d]), article)
    lines = out.splitlines()
    start = lines.index("Disagreements")
    block = lines[start : lines.index("Evidence")]
    assert "- the bridge" in block
    assert "  the mayor [S1]" in block
    assert f"    [S1] {article.by_id['S1'].text}" in block
    assert "  Residents [S2, S99]" in block
    assert f"    [S2] {article.by_id['S2'].text}" in block
    assert not any(line.startswith("    [S99]") for line in block)  # unknown id: no text
    assert "  context [S3]" in block


def test_others_are_named_not_analysed(article: Article) -> None:
    council = Party(name="The council", aliases=["The council"], kind="organisation")
    out = render(print_stance, result(article, others=[council]), article)
    assert "Also mentioned (not analysed): The council" in out
    assert "The council (organisation)" not in out


def test_notes_count_failures_dropped_and_ungrounded(article: Article) -> None:
    r = result(article, failures=2, dropped=["S7", "S8", "S9"], ungrounded=1)
    out = " ".join(render(print_stance, r, article).split())  # the line wraps at 100
    assert out.endswith(
        "2 party call(s) gave invalid output twice; 3 invalid evidence id(s) dropped; "
        "1 model position(s) not in the article's words, replaced"
    )


def test_notes_leave_out_zero_counts(article: Article) -> None:
    out = render(print_stance, result(article, dropped=["S7"]), article)
    assert out.splitlines()[-1] == "1 invalid evidence id(s) dropped"
    assert "party call" not in out and "not in the article's words" not in out
    clean = render(print_stance, result(article), article)
    assert "dropped" not in clean and "invalid" not in clean


def test_markup_in_article_and_model_text_is_printed_literally(article: Article) -> None:
    sign = Party(
        name="[red]Protesters[/red]",
        aliases=["[red]Protesters[/red]", "[i]the crowd[/i]"],
        kind="group",
        position="say [bold]STOP[/bold]",
        stance="opposes",
        evidence=resolve(["S4"], article),
    )
    r = result(article, central_issue="the [u]bridge[/u]", parties=[sign], others=[sign])
    out = render(print_stance, r, article)
    assert "Central issue: the [u]bridge[/u]" in out
    assert "[red]Protesters[/red] (group) opposes" in out
    assert "  also: [i]the crowd[/i]" in out
    assert "  position: say [bold]STOP[/bold] [S4]" in out
    assert "  [S4] A sign read [bold]STOP[/bold] at the site." in out
    assert "Also mentioned (not analysed): [red]Protesters[/red]" in out
