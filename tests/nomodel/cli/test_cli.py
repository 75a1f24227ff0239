"""The CLI through typer's CliRunner (in-process) and as real subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsdesk.cli.app import app
from tests.helpers.paths import SRC

runner = CliRunner()
BIN = Path(sys.executable).parent


def run(*args: str, input: str | bytes | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), input=input)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such file"),
        (b"", "empty"),
        (b"   \n\n  ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("Caf\xe9 au lait est bon.".encode("latin-1"), "not UTF-8"),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path, content, expected):
    path = tmp_path / "article.txt"
    if content is not None:
        path.write_bytes(content)
    result = run("ask", str(path), "What happened?")
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ") and expected in lines[0]
    assert "Traceback" not in result.output


def test_directory_is_rejected(tmp_path):
    result = run("chunk", str(tmp_path))
    assert result.exit_code == 2
    assert "directory" in result.output


def test_chunk_json_schema(example_path):
    result = run("chunk", str(example_path), "--max-tokens", "100", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["max_tokens"] == 100
    assert data["chunks"][0]["first"] == "S1"
    assert all(c["tokens"] <= 100 for c in data["chunks"])
    assert {"id", "first", "last", "sentence_ids", "tokens", "split"} <= set(data["chunks"][0])


def test_chunk_reads_stdin(example_path):
    result = run("chunk", "-", "--json", input=example_path.read_bytes())
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["sentences"] == 21


def test_dry_run_prints_prompt_and_calls_nothing(example_path):
    # An unreachable endpoint proves nothing is called: a call would fail with exit 3.
    result = run(
        "ask",
        str(example_path),
        "What did Xi agree to?",
        "--dry-run",
        "--base-url",
        "http://127.0.0.1:9/v1",
    )
    assert result.exit_code == 0, result.output
    assert "[S16] One of the sources said" in result.output
    assert "Question: What did Xi agree to?" in result.output
    assert "prompt tokens (tiktoken)" in result.output
    assert result.output.index("[S1]") < result.output.index("Question:")


def test_unreachable_endpoint_is_one_line_exit_3(example_path, monkeypatch):
    monkeypatch.setenv("NEWSDESK_MAX_RETRIES", "1")
    monkeypatch.setenv("NEWSDESK_BACKOFF", "0")
    result = run(
        "ask", str(example_path), "Who?", "--base-url", "http://127.0.0.1:9/v1", "--no-cache"
    )
    assert result.exit_code == 3
    assert (
        result.output.strip()
        == "error: endpoint http://127.0.0.1:9/v1 is unreachable (gave up after 2 tries)"
    )


def test_help_is_fast():
    env = {**os.environ}
    best = min(_timed([str(BIN / "newsdesk"), "--help"], env) for _ in range(3))
    assert best < 1.0  # generous for loaded CI machines; bench/ measures the real figure


def _timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def test_help_imports_no_heavy_module():
    code = (
        "import sys, io, contextlib\n"
        "sys.argv = ['newsdesk', '--help']\n"
        "from newsdesk.cli.app import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    loaded = proc.stdout.split()
    heavy = ("pydantic", "rich", "openai", "jinja2", "tiktoken", "yaml", "newsdesk.cli.")
    assert "newsdesk.cli.app" in loaded and "newsdesk.tasks.registry" in loaded
    assert [m for m in loaded if m.startswith(heavy) and m != "newsdesk.cli.app"] == []
    # the registry and the Task type only: no task, and no command, is imported to list them
    tasks = [m for m in loaded if m.startswith("newsdesk.tasks.")]
    assert tasks == ["newsdesk.tasks.contract", "newsdesk.tasks.registry"]


SHARED = ["--model", "--base-url", "--gguf", "--json", "--no-cache", "--dry-run", "--deterministic"]


@pytest.mark.parametrize("command", ["ask", "summarize", "stance", "brief"])
def test_model_commands_take_every_shared_option(command):
    help_text = run(command, "--help").stdout
    assert [o for o in SHARED if o in help_text] == SHARED


def test_commands_take_only_the_shared_options_they_use():
    chunk = run("chunk", "--help").stdout
    assert "--model" in chunk and "--json" in chunk and "--base-url" not in chunk
    doctor = run("doctor", "--help").stdout
    assert "--gguf" in doctor and "--dry-run" not in doctor
    assert "--no-cache" in run("eval", "--help").stdout
    assert run("models", "--base-url", "x").exit_code == 2  # not an option of models


def test_shared_options_need_an_opts_parameter():
    from newsdesk.cli.options import common_options

    def no_opts(article: str) -> None: ...

    with pytest.raises(TypeError, match=r"declare `\*, opts"):
        common_options()(no_opts)
    with pytest.raises(TypeError, match="unknown shared options"):
        common_options("colour")


def test_output_format_by_suffix():
    from newsdesk.cli.output import file_format, formats_hint
    from newsdesk.tasks.registry import get_task

    brief, summarize = get_task("brief"), get_task("summarize")
    assert file_format(brief, ".HTML") == "html" and file_format(brief, ".txt") is None
    assert file_format(summarize, ".txt") == "text" and file_format(summarize, ".html") is None
    assert formats_hint(brief, dot=True) == ".md, .html or .json"
    assert formats_hint(summarize) == "md, txt or json"
