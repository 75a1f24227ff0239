"""Reports (JUnit parsed back, HTML escaped and failures first, JSON) and --compare (pure)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from newsdesk.evals.compare import compare
from newsdesk.evals.report import to_html, to_json, to_junit
from newsdesk.evals.runner import AssertionResult, CaseResult, RunReport

EVIL = '<script>alert("x")</script> & \x07 [bold]'


def result(desc: str, passed: bool, prompt: str = "ask", provider: str = "embedded", **kw):  # type: ignore[no-untyped-def]
    asserts = [
        AssertionResult(
            type="contains",
            passed=passed,
            score=1.0 if passed else 0.0,
            reason="found" if passed else f"missing {EVIL}",
            line=7,
        )
    ]
    return CaseResult(
        case_id=f"s.yaml::{desc}",
        suite="prompts/tests/s.yaml",
        test_index=1,
        description=desc,
        prompt=prompt,
        provider=provider,
        repeat=kw.pop("repeat", 0),
        passed=passed,
        score=1.0 if passed else 0.0,
        output=kw.pop("output", f"output of {desc}"),
        latency_ms=250.0,
        asserts=asserts,
        **kw,
    )


def report(*results: CaseResult, **kw: object) -> RunReport:
    return RunReport(
        suites=["prompts/tests/s.yaml"],
        description="demo & co",
        started="2026-01-01T00:00:00+00:00",
        duration_s=1.5,
        results=list(results),
        **kw,  # type: ignore[arg-type]
    )


def test_junit_is_valid_xml_with_counts():
    rep = report(
        result("good", True),
        result("bad", False, output=EVIL),
        result("broken", False, error="endpoint embedded timed out"),
        result("good", True, prompt="variant"),
    )
    root = ET.fromstring(to_junit(rep).encode())
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "1", "1")
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"ask @ embedded", "variant @ embedded"}
    cases = {c.get("name"): c for c in suites["ask @ embedded"].iter("testcase")}
    assert cases["good"].find("failure") is None
    failure = cases["bad"].find("failure")
    assert failure is not None and "line 7" in (failure.get("message") or "")
    assert cases["broken"].find("error") is not None
    out = cases["bad"].find("system-out")
    assert out is not None and "<script>" in (out.text or "")  # escaped in XML, intact in text


def test_html_escapes_and_puts_failures_first():
    rep = report(result("passing case", True), result("failing case", False, output=EVIL))
    page = to_html(rep)
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert page.index("failing case") < page.index("passing case")
    assert "<link" not in page and "src=" not in page  # self-contained
    # one column per prompt x provider (side by side)
    rep2 = report(result("c", True), result("c", False, provider="other"))
    assert to_html(rep2).count("<th>ask<br>") == 2


def test_json_report_and_repeat_pass_rate():
    rep = report(
        result("flaky", True, repeat=0),
        result("flaky", False, repeat=1),
        result("flaky", True, repeat=2),
        repeat=3,
        min_pass_rate=0.6,
    )
    data = json.loads(to_json(rep))
    assert data["version"] == 1 and len(data["results"]) == 3
    (group,) = data["groups"]
    assert group["runs"] == 3 and group["pass_rate"] == round(2 / 3, 4)
    assert group["status"] == "pass" and data["passed"] is True
    strict = report(*rep.results, repeat=3, min_pass_rate=1.0)
    assert strict.passed is False


def test_compare_lists_new_failures_first():
    before = json.loads(
        to_json(
            report(result("a", True), result("b", False), result("c", True), result("gone", True))
        )
    )
    after = json.loads(
        to_json(
            report(result("a", False), result("b", True), result("c", True), result("new", False))
        )
    )
    comp = compare(before, after)
    assert [c.description for c in comp.new_failures] == ["a"]
    assert [c.description for c in comp.fixed] == ["b"]
    assert [c.description for c in comp.added_failing] == ["new"]
    assert [c.description for c in comp.removed] == ["gone"]
    assert comp.unchanged == 1 and comp.regressed
    assert not compare(before, before).regressed
