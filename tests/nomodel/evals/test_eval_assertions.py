"""Every assertion type with a passing and a failing example (pure: no model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.article import parse_article
from newsdesk.citations import Citation, resolve
from newsdesk.evals.assertions import (
    ASSERTIONS,
    CaseError,
    EvalContext,
    grade,
    interpret_rubric,
    rouge_n,
    validate,
)
from newsdesk.evals.suite import AssertionSpec
from newsdesk.tasks.contract import TaskOutput

TEXT = (
    "The council approved the budget on Monday. "
    "Spending on parks will rise by 4 percent, the mayor said. "
    "Critics said the plan ignores housing."
)
ARTICLE = parse_article(TEXT, "test")


def ctx(
    cited: list[str] | None = None,
    invalid: list[str] | None = None,
    abstained: bool | None = None,
    parties: list[dict[str, object]] | None = None,
    **kw: object,
) -> EvalContext:
    task = TaskOutput(
        output="",
        article=ARTICLE,
        result={"answerable": not abstained},
        citations=resolve(cited or [], ARTICLE),
        invalid=invalid or [],
        abstained=abstained,
        parties=parties,
    )
    return EvalContext(vars={"question": "q"}, task=task, base_dir=Path.cwd(), **kw)  # type: ignore[arg-type]


def check(kind: str, output: str, value: object = None, c: EvalContext | None = None, **kw: object):  # type: ignore[no-untyped-def]
    negate = kind.startswith("not-")
    spec = AssertionSpec(type=kind[4:] if negate else kind, negate=negate, value=value, **kw)  # type: ignore[arg-type]
    assert validate(spec, Path.cwd()) is None
    return grade(output, spec, c or ctx())


# (type, value, extra spec fields, passing output, failing output)
CASES: list[tuple[str, object, dict[str, object], str, str]] = [
    ("equals", "yes", {}, "yes", "yes!"),
    ("equals", {"a": 1}, {}, '{"a": 1}', '{"a": 2}'),
    ("contains", "Parks", {}, "More for Parks", "more for parks"),
    ("icontains", "Parks", {}, "more for PARKS", "more for gardens"),
    ("contains-any", ["a1", "b2"], {}, "x b2 y", "x y"),
    ("contains-all", "a1, b2", {}, "a1 b2", "a1 only"),
    ("icontains-any", ["A1", "B2"], {}, "x a1", "x"),
    ("icontains-all", ["A1", "B2"], {}, "a1 b2", "a1"),
    ("starts-with", "The", {}, "The end", "the end"),
    ("regex", r"\d+ percent", {}, "rise by 4 percent", "rise by four percent"),
    ("is-json", None, {}, '{"a": 1}', "{a: 1}"),
    (
        "is-json",
        {"type": "object", "required": ["a"], "properties": {"a": {"type": "integer"}}},
        {},
        '{"a": 1}',
        '{"a": "1"}',
    ),
    ("python", "'percent' in output", {}, "4 percent", "four"),
    ("python", "len(output) / 10", {"threshold": 0.5}, "0123456789", "0123"),
    ("rouge-n", "parks spending rises", {"threshold": 0.6}, "parks spending rises fast", "nope"),
    ("max-tokens", 5, {}, "Four percent.", "The mayor said spending on parks would rise a lot."),
]


@pytest.mark.parametrize(("kind", "value", "extra", "good", "bad"), CASES)
def test_text_assertions_pass_and_fail(kind, value, extra, good, bad):  # type: ignore[no-untyped-def]
    assert check(kind, good, value, **extra).passed, kind
    failed = check(kind, bad, value, **extra)
    assert not failed.passed and failed.reason, kind
    # negation flips the verdict; the score as promptfoo gives it: pass/fail checks score the
    # negated verdict (1), graded ones 1 - score, a script's number stays its score
    negated = check("not-" + kind, bad, value, **extra)
    assert negated.passed
    if kind in ("similar", "rouge-n"):
        assert negated.score == pytest.approx(1 - failed.score)
    elif kind == "python" and "threshold" in extra:
        assert negated.score == pytest.approx(failed.score)
    else:
        assert negated.score == 1.0


def test_every_type_is_covered():
    covered = {c[0] for c in CASES} | {
        "cites", "cites-valid", "abstains", "parties-include", "latency", "cost", "llm-rubric",
        "levenshtein", "contains-json", "javascript", "similar",  # test_eval_promptfoo.py
        # tests/node/evals/test_eval_promptfoo_docs.py (promptfoo's own code, run in node)
        "word-count", "bleu", "gleu", "is-refusal", "finish-reason", "model-graded-closedqa",
        "factuality", "context-recall", "context-relevance", "context-faithfulness", "g-eval",
        # tests/node/evals/test_eval_promptfoo_parsers.py (promptfoo itself, in node)
        "is-xml", "contains-xml", "is-html", "contains-html", "is-sql", "contains-sql",
        "perplexity", "perplexity-score",  # and promptfoo_docs/sampling
        "webhook",  # test_webhook.py and promptfoo_docs/webhook
        "is-valid-openai-tools-call", "is-valid-openai-function-call",  # promptfoo_docs/tools
        "answer-relevance",  # test_answer_relevance.py and promptfoo_docs/answer_relevance
        "moderation",  # test_moderation.py and promptfoo_docs/moderation
    }  # fmt: skip
    assert covered == set(ASSERTIONS)


def test_cites_ids_phrases_and_any():
    c = ctx(cited=["S2"])
    assert check("cites", "", "S2", c).passed
    assert check("cites", "", "4 percent", c).passed  # a phrase in a cited sentence
    assert check("cites", "", [{"any": ["S1", "S2"]}], c).passed
    failed = check("cites", "", ["S2", "housing"], c)
    assert not failed.passed and failed.score == 0.5 and "housing" in failed.reason
    assert not check("cites", "", "S1", c).passed


def test_cites_valid():
    assert check("cites-valid", "answer", None, ctx(cited=["S1", "S3"])).passed
    assert not check("cites-valid", "answer", None, ctx(cited=["S1"], invalid=["S9"])).passed
    # a citation whose text is not the article's verbatim
    bad = ctx(cited=["S1"])
    assert bad.task is not None
    bad.task.citations = [
        Citation(id="S1", text="The council rejected the budget.", start=0, end=42)
    ]
    result = check("cites-valid", "answer", None, bad)
    assert not result.passed and "verbatim" in result.reason
    # an inline [S7] marker that is not in the article
    assert not check("cites-valid", "See [S7].", None, ctx(cited=["S1"])).passed


def test_abstains_from_result_and_from_text():
    assert check("abstains", "The article does not say.", None, ctx(abstained=True)).passed
    assert not check("abstains", "4 percent", None, ctx(abstained=False)).passed
    no_task = EvalContext(vars={})
    assert check("abstains", "The article doesn't mention the weather.", None, no_task).passed
    assert not check("abstains", "It will rain.", None, no_task).passed


def test_parties_include():
    parties = [
        {"name": "President Donald Trump", "aliases": ["Mr Trump"]},
        {"name": "Xi Jinping", "aliases": []},
    ]
    c = ctx(parties=parties)
    assert check("parties-include", "", ["Trump", "Xi Jinping"], c).passed
    failed = check("parties-include", "", ["Trump", "Liu He"], c)
    assert not failed.passed and "Liu He" in failed.reason
    assert check("parties-include", "", ["President Xi Jinping"], c).passed
    assert not check("parties-include", "", ["Trump"], ctx()).passed  # no parties at all
    sisters = ctx(parties=[{"name": "Liz Cheney", "aliases": ["Cheney"]}])
    assert not check("parties-include", "", ["Mary Cheney"], sisters).passed


def test_latency_and_cost():
    fast = ctx(latency_ms=120.0, cost=0.001)
    slow = ctx(latency_ms=5000.0, cost=0.5)
    assert check("latency", "", None, fast, threshold=1000).passed
    assert not check("latency", "", None, slow, threshold=1000).passed
    cached = ctx(latency_ms=0.0, cached=True)
    with pytest.raises(CaseError, match="does not support cached results"):  # promptfoo throws
        check("latency", "", None, cached, threshold=1000)
    assert check("cost", "", None, fast, threshold=0.01).passed
    assert not check("cost", "", None, slow, threshold=0.01).passed
    assert not check("cost", "", None, ctx(cost=None), threshold=0.01).passed


def test_llm_rubric_verdict():
    assert interpret_rubric(True, 0.9, "ok", None, "m").passed
    assert not interpret_rubric(False, 0.9, "no", None, "m").passed
    assert not interpret_rubric(True, 0.4, "meh", 0.5, "m").passed  # below the threshold
    # no grader configured: a failed grade, not a crash
    assert not check("llm-rubric", "x", "is polite", EvalContext(vars={})).passed


def test_transform_and_weightless_errors():
    spec = AssertionSpec(
        type="equals", value="4", transform="python: re.search(r'\\d+', output).group()"
    )
    assert grade("rise by 4 percent", spec, ctx()).passed
    broken = AssertionSpec(type="equals", value="4", transform="python: output[999]")
    result = grade("short", broken, ctx())
    assert not result.passed and "IndexError" in result.reason
    # a crashing check stays failed under not-
    neg = AssertionSpec(type="python", negate=True, value="1/0")
    assert not grade("x", neg, ctx()).passed


def test_similar_without_embeddings_fails_as_promptfoo_does():
    """No stand-in measure: without an embeddings model `similar` fails, and so does its `not-`."""
    for negate in (False, True):
        spec = AssertionSpec(type="similar", negate=negate, value="the same words")
        result = grade("the same words", spec, ctx())
        assert not result.passed and "embeddings" in result.reason


def test_similarity_measures():
    assert rouge_n("the cat sat", "the cat sat") == pytest.approx(1.0)
    assert 0 < rouge_n("the cat sat on the mat", "the cat") < 1


def test_similar_with_a_chat_grader_and_no_embeddings_fails():
    from newsdesk.config import Settings
    from newsdesk.llm.client import LLMClient

    client = LLMClient(Settings(use_cache=False))
    c = ctx()
    c.embedder = lambda ref: (client, None, "openai:chat:x")
    result = check("similar", "parks spending", "parks spending", c)
    assert not result.passed and "has no embeddings" in result.reason


@pytest.mark.parametrize(
    ("kind", "value", "extra", "problem"),
    [
        ("contains", None, {}, "needs a `value`"),
        ("regex", "([", {}, "invalid regular expression"),
        ("latency", None, {}, "needs a `threshold`"),
        ("latency", 100, {}, "takes no `value`"),
        ("max-tokens", "ten", {}, "positive whole number"),
        ("is-json", {"type": "nonsense"}, {}, "invalid JSON schema"),
        ("python", "1 +", {}, "invalid Python expression"),
        ("cites", [{"all": ["S1"]}], {}, "{any: [...]}"),
        ("equals", "x", {"transform": "python: output["}, "invalid Python transform"),
    ],
)
def test_validate_rejects_bad_values(kind, value, extra, problem):  # type: ignore[no-untyped-def]
    spec = AssertionSpec(type=kind, value=value, **extra)
    message = validate(spec, Path.cwd())
    assert message is not None and problem in message


def test_python_function_body_and_file(tmp_path):
    body = (
        "words = output.split()\nreturn {'pass': len(words) < 4, 'score': 0.5, 'reason': 'short'}"
    )
    good = check("python", "three words here", body)
    assert good.passed and good.score == 0.5 and good.reason == "short"
    assert not check("python", "one two three four five", body).passed
    script = tmp_path / "check.py"
    script.write_text(
        "def get_assert(output, context):\n    return 'S2' in str(context['citations'])\n"
    )
    spec = AssertionSpec(type="python", value=f"file://{script}")
    assert validate(spec, tmp_path) is None
    assert grade("x", spec, ctx(cited=["S2"])).passed
    assert not grade("x", spec, ctx(cited=["S1"])).passed
    missing = AssertionSpec(type="python", value="file://absent.py")
    assert "no such file" in (validate(missing, tmp_path) or "")
