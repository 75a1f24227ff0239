"""promptfoo's own unit tests of its assertions, as data (tests/data/promptfoo_unit/cases.yaml):
each case (an assertion as a config writes it, an output, the provider's latency, cost or finish
reason where it needs them) goes through newsdesk eval's real grading path, the suite loader's
assertion parser (with its load-time checks) and `assertions.grade`, and must get promptfoo's
verdict (pass, and score and reason where promptfoo's test asserts them).

A case marked `known_disagreement` is one where newsdesk does not agree with promptfoo 0.123.1;
the test asserts that it still disagrees, so a fix (drop the mark) and a new regression both fail.
Another test runs every case through the installed promptfoo's public `assertions.runAssertion`
and checks the data's verdicts against it: the installed 0.123.1 is the truth, not the snapshot
the cases were read from.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from newsdesk.evals import node
from newsdesk.evals.assertions import CaseError, EvalContext, grade
from newsdesk.evals.suite import _Parser
from newsdesk.evals.yamlfile import SuiteError, load_yaml
from tests.helpers.node import require_node
from tests.helpers.paths import DATA
from tests.node.evals.test_eval_promptfoo import require_promptfoo

HERE = DATA / "promptfoo_unit"
CASES: list[dict[str, Any]] = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))

# the port, counted: a case dropped from the data (or added) must show here
PORTED = 376
PER_TYPE = {  # `not-` forms counted with their type (27 cases are `not-`)
    "bleu": 14,
    "contains": 11,
    "contains-all": 9,
    "contains-any": 21,
    "contains-html": 35,
    "contains-json": 8,
    "contains-sql": 1,
    "contains-xml": 15,
    "cost": 7,
    "equals": 11,
    "finish-reason": 3,
    "gleu": 4,
    "icontains": 11,
    "icontains-all": 8,
    "icontains-any": 15,
    "is-json": 10,
    "is-refusal": 49,
    "is-sql": 42,
    "is-xml": 57,
    "latency": 6,
    "levenshtein": 8,
    "regex": 4,
    "rouge-n": 1,
    "word-count": 26,
}
KNOWN_DISAGREEMENTS = 0


def case_id(case: dict[str, Any]) -> str:
    return str(case["id"])


def base_type(assertion: dict[str, Any]) -> str:
    kind = str(assertion["type"])
    return kind[4:] if kind.startswith("not-") else kind


def newsdesk_verdict(case: dict[str, Any]) -> dict[str, Any]:
    """The case through newsdesk: the suite loader's assertion parser (a value it refuses at load
    is `refused`), then `grade` with the case's vars and provider response."""
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for name, text in (case.get("files") or {}).items():
            (base / name).write_text(text, encoding="utf-8")
        try:
            raw = load_yaml(yaml.safe_dump(case["assertion"], allow_unicode=True), "case")
            spec = _Parser(case_id(case), base).assertion(raw, 1)
        except SuiteError as exc:
            return {"refused": str(exc)}
        response = case.get("provider_response") or {}
        variables = case.get("vars") or {}
        ctx = EvalContext(
            vars=variables,
            base_dir=base,
            latency_ms=case.get("latency_ms"),
            cost=response.get("cost"),
            finish_reason=response.get("finishReason"),
            prompt=case.get("prompt") or "",
            test={"vars": variables, "assert": [case["assertion"]]},
        )
        try:
            g = grade(case.get("output"), spec, ctx)
        except CaseError as exc:  # what promptfoo throws: the case errors, as there
            return {"error": str(exc)}
    return {"pass": g.passed, "score": g.score, "reason": g.reason}


def agrees(expected: dict[str, Any], got: dict[str, Any]) -> bool:
    """Whether a verdict is the one the case expects. An expected `error` (promptfoo throws, so
    the test errors) is matched by the same error (promptfoo's, or newsdesk's CaseError), or by
    newsdesk refusing the assertion at load or failing it."""
    if "error" in expected:
        if "error" in got:  # promptfoo's own verdict
            return expected["error"] in got["error"]
        return "refused" in got or not got["pass"]
    if "refused" in got or "error" in got:
        return False
    score, reason = got["score"], got["reason"]
    checks = [
        "pass" not in expected or got["pass"] is expected["pass"],
        "score" not in expected or math.isclose(score, expected["score"], abs_tol=1e-9),
        "score_gt" not in expected or score > expected["score_gt"],
        "score_lt" not in expected or score < expected["score_lt"],
        "reason" not in expected or reason == expected["reason"],
        "reason_matches" not in expected or re.search(expected["reason_matches"], reason),
        all(part in reason for part in expected.get("reason_contains", [])),
    ]
    return all(checks)


def test_the_port_is_whole():
    assert len(CASES) == PORTED
    assert Counter(base_type(c["assertion"]) for c in CASES) == PER_TYPE
    assert sum("known_disagreement" in c for c in CASES) == KNOWN_DISAGREEMENTS
    assert len({case_id(c) for c in CASES}) == PORTED, "case ids are unique"
    assert all(c["expected"] for c in CASES), "every case expects something"


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_newsdesk_grades_as_promptfoo(case):
    require_node()
    got = newsdesk_verdict(case)
    why = case.get("known_disagreement")
    if why is None:
        assert agrees(case["expected"], got), f"{case['file']}: {case['test']}: newsdesk {got}"
    else:
        assert not agrees(case["expected"], got), (
            f"{case_id(case)} now agrees with promptfoo ({got}): "
            f"drop its known_disagreement ({why})"
        )


def _encode(value: Any) -> Any:
    """JSON for the node side: NaN and infinities as {"$float": ...} (run_promptfoo.mjs)."""
    if isinstance(value, float) and not math.isfinite(value):
        return {"$float": str(value)}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def test_the_data_holds_promptfoo_0_123_1s_verdicts():
    binary = require_promptfoo()
    entry, why = node.promptfoo_entry()
    assert entry is not None, why
    node_bin = binary.parent / "node"
    command = str(node_bin) if node_bin.is_file() else "node"
    proc = subprocess.run(
        [command, str(HERE / "run_promptfoo.mjs"), str(entry)],
        input=json.dumps(_encode(CASES), allow_nan=False),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    verdicts = json.loads(proc.stdout)
    assert len(verdicts) == len(CASES)
    wrong = [
        f"{case_id(c)}: expects {c['expected']}, promptfoo gives {v}"
        for c, v in zip(CASES, verdicts, strict=True)
        if not agrees(c["expected"], v)
    ]
    assert not wrong, "\n".join(wrong)
