"""`ask`'s semantic step on fixed model outputs (no model): the answer read as a claim about
its question, kept with its source, given both sides, or replaced by the article's words."""

from __future__ import annotations

from newsdesk.article import Article, parse_article
from newsdesk.entailment import ClaimCheck
from newsdesk.tasks.ask import AskOutput, AskResult, build_prompt, interpret, settle, who_said

XI_Q = "What did Xi agree to?"
TRUMPS = (
    "China would restart large purchases of US agricultural commodities, and the US would ease "
    "some export restrictions on Chinese telecommunications equipment giant Huawei Technologies."
)


def _interpreted(article: Article, question: str, answer: str, ids: list[str]) -> AskResult:
    prompt = build_prompt(article, question, 5000)
    return interpret(
        AskOutput(answer=answer, citations=ids, answerable=True), prompt, article, question
    )


def test_an_answer_that_is_someones_claim_keeps_its_source_and_the_other_side(
    example_article: Article,
) -> None:
    first = _interpreted(example_article, XI_Q, TRUMPS, ["S3", "S16"])
    assert first.supported and first.answer_ids == ["S3"]
    result = settle(first, ClaimCheck(("S3", "S16"), "stated"), example_article, XI_Q)
    assert result.answer.startswith("According to Mr Trump, China would restart")
    # S16, from another source and on the question (Xi, agree), is given too, with its id
    assert "(S16): One of the sources said" in result.answer
    assert "Mr Xi agreed to consider purchases only" in result.answer
    assert result.attributed_to is not None and result.attributed_to.party == "Donald Trump"
    assert result.checks == ["lexical", "entailment", "attribution"]
    assert result.to_dict()["attributed_to"]["label"] == "Mr Trump said"


def test_an_answer_the_article_does_not_state_gives_way_to_its_words(
    example_article: Article,
) -> None:
    first = _interpreted(example_article, XI_Q, TRUMPS, ["S3", "S16"])
    result = settle(first, ClaimCheck(("S3", "S16"), "contradicted"), example_article, XI_Q)
    assert result.grounding == "replaced" and result.supported
    assert result.answer == example_article.by_id["S16"].text  # the sentence on Xi's agreement
    assert [c.id for c in result.citations] == ["S16"]
    assert result.model_answer == TRUMPS
    assert "contradicted" in result.reason


def test_an_answer_the_reader_cannot_confirm_stays_flagged(example_article: Article) -> None:
    q = "How long has the trade war lasted?"
    first = _interpreted(example_article, q, "a year", ["S1"])
    result = settle(first, ClaimCheck(("S1", "S7"), "not stated"), example_article, q)
    assert (result.answer, result.grounding, result.supported) == ("a year", "unsupported", False)
    assert result.reason == "not stated (closest: S1, S7)"
    assert [c.id for c in result.citations] == [c.id for c in first.citations]
    assert result.model_answer is None  # nothing replaced it


def test_a_stated_narrated_answer_stands(example_article: Article) -> None:
    q = "What did Trump agree to suspend?"
    answer = "a new round of tariffs on US$300 billion worth of imported Chinese consumer goods"
    first = _interpreted(example_article, q, answer, ["S2"])
    result = settle(first, ClaimCheck(("S2",), "stated"), example_article, q)
    assert result.answer == answer and result.attributed_to is None
    assert result.reason == "stated in its sentences"


def test_no_reading_keeps_the_lexical_verdict_and_the_attribution(example_article: Article) -> None:
    first = _interpreted(example_article, XI_Q, TRUMPS, ["S3"])
    result = settle(first, None, example_article, XI_Q)
    assert result.answer.startswith("According to Mr Trump,")
    assert "entailment" not in result.checks


def test_who_said_is_the_speaker_of_the_sentence_that_holds_the_words() -> None:
    article = parse_article(
        "The senator was taken to hospital on Friday after a fall. "
        'The president wrote to him on Saturday. "I wish you a speedy recovery," '
        "President Obama wrote. Doctors said he would recover.",
        "t",
    )
    q = "Who said 'I wish you a speedy recovery.'?"
    found = who_said(q, article, [s.id for s in article.sentences])
    assert found is not None
    sid, source = found
    assert sid == "S3" and source.party == "Obama"
    # the model's guess (the patient) is replaced by the speaker, citing that sentence
    prompt = build_prompt(article, q, 5000)
    out = AskOutput(answer="The senator", citations=["S1"], answerable=True)
    result = interpret(out, prompt, article, q)
    assert "Obama" in result.answer and [c.id for c in result.citations] == ["S3"]
    assert result.model_answer == "The senator"
    assert who_said("What did the senator say?", article, ["S1"]) is None


def test_the_other_side_is_another_party_on_the_question() -> None:
    # Written for this test: S3 is S2's speaker under a shorter name; S4 is another speaker,
    # with one of the question's three words only.
    article = parse_article(
        "A stage fell in a Halifax park on Saturday.\n\n"
        "The collapse happened at about 6:45 p.m., said Marjorie Keddy, the festival's head.\n\n"
        "The collapse happened after a storm, Keddy said.\n\n"
        "The collapse hurt four people, police said.",
        "t",
    )
    q = "At what time did the collapse happen?"
    first = _interpreted(article, q, "about 6:45 p.m.", ["S2", "S3", "S4"])
    result = settle(first, ClaimCheck(("S2",), "stated"), article, q)
    assert result.answer == "According to Marjorie Keddy, about 6:45 p.m."
    assert "also reports" not in result.answer
