"""A new task is one file: a toy task, registered as a plugin (the `newsdesk.tasks` entry-point
group, as simonw/llm finds its plugins), appears in `newsdesk --help`, runs as a command with
its own option and --json, prints its --dry-run, runs in `newsdesk eval` (`prompts: [toy]`),
is a route of `newsdesk serve`, and its names are in `newsdesk.__all__`. Nothing in newsdesk
names it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.paths import EXAMPLE

TOY = '''\
"""A toy task: the article's sentences that hold a word (no model)."""

from __future__ import annotations

import json
from typing import Any

from newsdesk.schema import Record
from newsdesk.tasks.contract import DryRun, Param, Task, TaskOutput


class ToyResult(Record):
    word: str
    ids: list[str]


def toy_count(article: Any, word: str) -> ToyResult:
    ids = [s.id for s in article.sentences if word.lower() in s.text.lower()]
    return ToyResult(word=word, ids=ids)


class ToyTask(Task):
    name = "toy"
    help = """Find the sentences that hold a word.

    A toy task: no model call.
    """
    params = (Param("word", "The word to find.", flags=("--word",), default="Xi"),)
    formats = {"json": lambda result, view: json.dumps(result.to_dict())}
    exports = ("toy_count", "ToyResult")

    def answer(self, job):
        return toy_count(job.article, str(job.variables["word"]))

    def run(self, article, llm, variables, template=None):
        result = toy_count(article, str(variables.get("word") or "Xi"))
        return TaskOutput(output=" ".join(result.ids), article=article, result=result.to_dict())

    def prompts(self, article, settings, variables, template=None):
        return []

    def plan(self, articles, settings, variables):
        return DryRun([], f"toy: no model call; it finds {variables['word']!r}")

    def terminal(self, console, result, view):
        console.print(f"{result.word}: {', '.join(result.ids)}")


TASK = ToyTask()
'''

SUITE = f"""\
prompts: [toy]
providers:
  - id: openai:chat:unused
    config: {{apiBaseUrl: "http://127.0.0.1:9/v1"}}
tests:
  - vars: {{article: "file://{EXAMPLE}", word: agreed}}
    assert:
      - type: contains
        value: S16
"""


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the toy task's one file and the metadata that registers it."""
    root = tmp_path_factory.mktemp("plugin")
    (root / "toy_task.py").write_text(TOY)
    info = root / "toy_task-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-task\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[newsdesk.tasks]\ntoy = toy_task\n")
    return root


def newsdesk(plugin: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(plugin), *sys.path])}
    return subprocess.run(
        [sys.executable, "-m", "newsdesk", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def expected_ids(word: str) -> list[str]:
    from newsdesk.article import load_article

    return [s.id for s in load_article(EXAMPLE).sentences if word.lower() in s.text.lower()]


def test_the_toy_is_listed_in_help(plugin_path: Path) -> None:
    out = newsdesk(plugin_path, "--help")
    assert out.returncode == 0, out.stderr
    assert "toy        Find the sentences that hold a word." in out.stdout


def test_the_toy_runs_as_a_command_with_its_own_option(plugin_path: Path) -> None:
    out = newsdesk(plugin_path, "toy", str(EXAMPLE), "--word", "agreed", "--json")
    assert out.returncode == 0, out.stderr
    ids = expected_ids("agreed")
    assert "S16" in ids
    assert json.loads(out.stdout) == {"word": "agreed", "ids": ids}
    shown = newsdesk(plugin_path, "toy", str(EXAMPLE), "--word", "agreed")
    assert shown.stdout.strip() == f"agreed: {', '.join(ids)}"


def test_the_toy_prints_its_dry_run(plugin_path: Path) -> None:
    out = newsdesk(plugin_path, "toy", str(EXAMPLE), "--dry-run")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "--- toy: no model call; it finds 'Xi' ---"


def test_the_toy_runs_in_eval(plugin_path: Path, tmp_path: Path) -> None:
    suite = tmp_path / "promptfooconfig.yaml"
    suite.write_text(SUITE)
    report = tmp_path / "out.json"
    out = newsdesk(plugin_path, "eval", str(suite), "--json", str(report), cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    (result,) = json.loads(report.read_text())["results"]
    assert result["output"] == " ".join(expected_ids("agreed"))


def test_the_toy_is_in_the_public_api_and_the_server(plugin_path: Path) -> None:
    code = (
        "import newsdesk\n"
        "from newsdesk.serve.routes import ROUTES\n"
        "print('toy_count' in newsdesk.__all__, 'ToyResult' in newsdesk.__all__)\n"
        f"print(newsdesk.toy_count(newsdesk.load_article({str(EXAMPLE)!r}), 'agreed').ids)\n"
        "print(sorted(ROUTES['toy'].request.model_fields))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(plugin_path), *sys.path])}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "True True",
        str(expected_ids("agreed")),
        "['article', 'word']",
    ]


def test_without_the_plugin_there_is_no_toy(tmp_path: Path) -> None:
    out = newsdesk(tmp_path, "toy", str(EXAMPLE))
    assert out.returncode == 2 and "No such command 'toy'" in out.stderr
