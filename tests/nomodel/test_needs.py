"""The folder rule can fail: tests/helpers/needs.py, run by pytest on a small test tree, fails every
test that uses more than its folder allows and passes the ones that keep to it."""

from __future__ import annotations

import os

import pytest

from tests.helpers.paths import ROOT, SRC

CONFTEST = """
import pytest

pytest_plugins = ["tests.helpers.needs"]


@pytest.fixture
def llm():
    return "fake"  # never set up where the folder forbids it: the check comes first


@pytest.fixture
def instruct_llm():
    return "fake"
"""

NOMODEL = """
import subprocess

from newsdesk.llm import embedded
from tests.helpers.node import require_node


def test_plain():
    assert 1 + 1 == 2


def test_asks_for_llm(llm):
    pass


def test_asks_for_an_embedded_server():
    embedded.server_url("gemma-3-270m")


def test_the_code_under_test_swallows_the_error():
    try:
        embedded.server_url("gemma-3-270m")
    except Exception:
        pass


def test_launches_chromium():
    subprocess.run(["chromium", "--version"], capture_output=True)


def test_needs_node():
    require_node()
"""

SMALL_MODEL = """
def test_small_model_may_use_llm(llm):
    assert llm == "fake"


def test_small_model_asks_for_instruct_llm(instruct_llm):
    pass


def test_small_model_asks_for_the_default_model():
    from newsdesk.llm import embedded

    embedded.server_url("qwen2.5-coder-1.5b")
"""

CHROMIUM = """
def test_chromium_may_use_both_models(llm, instruct_llm):
    assert (llm, instruct_llm) == ("fake", "fake")
"""


@pytest.fixture
def tree(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), str(SRC)]))
    monkeypatch.delenv("NEWSDESK_NO_SKIPS", raising=False)
    pytester.makeconftest(CONFTEST)
    for folder, text in (
        ("nomodel", NOMODEL),
        ("small_model", SMALL_MODEL),
        ("chromium", CHROMIUM),
    ):
        (pytester.path / folder).mkdir()
        (pytester.path / folder / f"test_{folder}.py").write_text(text)
    pytester.makepyfile(test_outside="def test_in_no_need_folder():\n    pass\n")
    return pytester


def test_a_test_using_more_than_its_folder_allows_fails(tree: pytest.Pytester) -> None:
    result = tree.runpytest_subprocess("-rA", "-p", "no:cacheprovider")
    out = result.stdout.str()
    passed = {
        "nomodel/test_nomodel.py::test_plain",
        "small_model/test_small_model.py::test_small_model_may_use_llm",
        "chromium/test_chromium.py::test_chromium_may_use_both_models",
    }
    not_passed = {
        "nomodel/test_nomodel.py::test_asks_for_llm": "fixture `llm` needs tests/small_model/",
        "nomodel/test_nomodel.py::test_asks_for_an_embedded_server": "needs tests/small_model/",
        "nomodel/test_nomodel.py::test_the_code_under_test_swallows_the_error": "needs tests/small",
        "nomodel/test_nomodel.py::test_launches_chromium": "needs tests/chromium/",
        "nomodel/test_nomodel.py::test_needs_node": "require_node() needs tests/node/",
        "small_model/test_small_model.py::test_small_model_asks_for_instruct_llm": "fixture `inst",
        "small_model/test_small_model.py::test_small_model_asks_for_the_default_model": "tests/def",
        "test_outside.py::test_in_no_need_folder": "sits in no need folder",
    }
    for nodeid in passed:
        assert f"PASSED {nodeid}" in out, out
    assert not_passed
    for nodeid, reason in not_passed.items():
        summary = [line for line in out.splitlines() if line.split(" ")[1:2] == [nodeid]]
        assert summary and summary[0].startswith(("FAILED", "ERROR")), (nodeid, out)
        assert reason in out, (reason, out)
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed") == len(passed), outcomes
    assert outcomes.get("failed", 0) + outcomes.get("errors", 0) == len(not_passed), outcomes
