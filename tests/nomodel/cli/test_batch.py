"""Batch runs: one output per article, concurrency, resumable, failures listed, nothing partial.

The model work is `ask` against the scripted server (real HTTP, a schema-valid answer for any
request), so these tests exercise the real client, cache and threads without a real model.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import typer

from newsdesk.article import Article
from newsdesk.atomic import write_atomic
from newsdesk.batch import (
    BatchReport,
    collect_inputs,
    is_batch,
    output_paths,
    run_batch,
)
from newsdesk.cli.batchmode import finish
from newsdesk.cli.progress import BatchProgress
from newsdesk.errors import InputError, LLMError
from newsdesk.llm.client import LLMClient
from newsdesk.testing import Reply, ScriptedServer, schema_responder
from tests.helpers.clients import scripted_client
from tests.helpers.paths import SRC


def make_articles(folder: Path, n: int, example: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    base = example.read_text()
    paths = []
    for i in range(n):
        p = folder / f"article-{i:02d}.txt"
        p.write_text(f"Story number {i} opens here.\n\n{base}")
        paths.append(p)
    return paths


def asker(llm: LLMClient):  # type: ignore[no-untyped-def]
    from newsdesk.tasks.ask import ask

    def process(article: Article) -> str:
        return json.dumps(ask(article, "Who met whom?", llm).to_dict())

    return process


def scripted_llm(srv: ScriptedServer, tmp_path: Path, **kw: object) -> LLMClient:
    cache = tmp_path / "cache"
    return scripted_client(srv, cache, api_key="sk-batch", max_retries=1, timeout=None, **kw)[0]


def test_one_output_per_article_then_resume_skips_everything(tmp_path, example_path):
    sources = make_articles(tmp_path / "in", 6, example_path)
    out = tmp_path / "out"
    with ScriptedServer(responder=schema_responder) as srv:
        llm = scripted_llm(srv, tmp_path, use_cache=False)
        report = run_batch([tmp_path / "in"], out, asker(llm), ".json", max_concurrency=3)
        assert report.ok and report.done == 6 and report.skipped == 0
        assert len(srv.requests) == 6
        names = sorted(p.name for p in out.iterdir())
        assert names == sorted(f"{s.stem}.json" for s in sources)  # no temp file left behind
        for p in out.iterdir():
            data = json.loads(p.read_text())
            assert data["question"] == "Who met whom?" and data["answer"]
            # the scripted answer's words are in no sentence: never reported as supported
            assert data["supported"] is False and data["grounding"] == "unsupported"
        again = run_batch([tmp_path / "in"], out, asker(llm), ".json", max_concurrency=3)
        assert again.done == 0 and again.skipped == 6
        assert len(srv.requests) == 6  # nothing asked again (and the cache is off)
        forced = run_batch([sources[0]], out, asker(llm), ".json", force=True)
        assert forced.done == 1 and len(srv.requests) == 7


def test_failures_do_not_stop_the_batch_and_leave_no_partial_file(tmp_path, example_path):
    make_articles(tmp_path / "in", 4, example_path)
    (tmp_path / "in" / "binary.txt").write_bytes(b"\x00\x01\x02 not text" * 50)
    (tmp_path / "in" / "empty.md").write_text("   \n")
    out = tmp_path / "out"
    with ScriptedServer(responder=schema_responder) as srv:
        # the second article's model call fails for good (500 on both tries), the rest answer
        llm = scripted_llm(srv, tmp_path, use_cache=False)
        calls = {"n": 0}
        lock = threading.Lock()
        real = asker(llm)

        def flaky(article: Article) -> str:
            with lock:
                calls["n"] += 1
                n = calls["n"]
            if n == 2:
                srv.script(Reply(500, {"error": {"message": "boom"}}))
                srv.script(Reply(500, {"error": {"message": "boom"}}))
            return real(article)

        report = run_batch([tmp_path / "in"], out, flaky, ".json", max_concurrency=1)
    assert len(report.items) == 6
    failed = {i.source.name: i.error for i in report.failures}
    assert set(failed) == {"binary.txt", "empty.md", "article-01.txt"}
    assert "binary" in failed["binary.txt"] and "empty" in failed["empty.md"]
    assert "HTTP 500" in failed["article-01.txt"]
    assert report.done == 3
    assert sorted(p.name for p in out.iterdir()) == [
        "article-00.json",
        "article-02.json",
        "article-03.json",
    ]  # no output, and no temp file, for any failure
    with pytest.raises(typer.Exit) as exit_:
        finish(report)
    assert exit_.value.exit_code == 1


def test_finish_lists_failures_and_exits_1(tmp_path, capsys):
    from newsdesk.batch import BatchItem

    report = BatchReport(outdir=tmp_path, seconds=2.0)
    report.items = [
        BatchItem(source=Path("a.txt"), output=tmp_path / "a.md", status="done"),
        BatchItem(
            source=Path("b.txt"),
            output=tmp_path / "b.md",
            status="failed",
            error="endpoint x timed out",
        ),
    ]
    with pytest.raises(typer.Exit) as exit_:
        finish(report)
    assert exit_.value.exit_code == 1
    err = capsys.readouterr().err
    assert "2 articles: 1 written, 0 skipped (output exists), 1 failed" in err
    assert "failed: b.txt: endpoint x timed out" in err
    report.items.pop()
    finish(report)  # no failure: returns normally


def test_concurrency_overlaps_requests_against_a_slow_endpoint(tmp_path, example_path):
    make_articles(tmp_path / "in", 8, example_path)
    with ScriptedServer(responder=schema_responder, latency=0.3) as srv:
        llm = scripted_llm(srv, tmp_path, use_cache=False)
        report = run_batch([tmp_path / "in"], tmp_path / "out", asker(llm), ".json", 8)
    assert report.ok and report.done == 8
    assert srv.max_in_flight >= 6  # the requests really overlapped
    assert report.seconds < 8 * 0.3  # faster than one at a time, whatever the machine's load


def test_cache_is_shared_safely_by_batch_threads(tmp_path, example_path):
    make_articles(tmp_path / "in", 8, example_path)
    with ScriptedServer(responder=schema_responder) as srv:
        llm = scripted_llm(srv, tmp_path)
        first = run_batch([tmp_path / "in"], tmp_path / "a", asker(llm), ".json", 8)
        second = run_batch([tmp_path / "in"], tmp_path / "b", asker(llm), ".json", 8)
    assert first.done == second.done == 8
    assert len(srv.requests) == 8  # the second batch was served wholly from the cache
    assert llm.cache is not None and llm.cache.stats()["entries"] == 8
    assert not list((tmp_path / "cache").glob("*.corrupt-*"))


def test_interrupted_batch_resumes_where_it_stopped(tmp_path, example_path):
    make_articles(tmp_path / "in", 5, example_path)
    done: list[str] = []

    def process(article: Article) -> str:
        if len(done) == 3:
            raise KeyboardInterrupt  # Ctrl-C in the middle of the fourth article
        done.append(article.source)
        return f"summary of {article.source}\n"

    with pytest.raises(KeyboardInterrupt):
        run_batch([tmp_path / "in"], tmp_path / "out", process, ".md")
    assert len(list((tmp_path / "out").iterdir())) == 3  # complete files only, no temp
    report = run_batch([tmp_path / "in"], tmp_path / "out", lambda a: "again\n", ".md")
    assert (report.skipped, report.done) == (3, 2)


def test_progress_lines_on_a_non_terminal(tmp_path, example_path, capsys):
    make_articles(tmp_path / "in", 2, example_path)
    run_batch([tmp_path / "in"], tmp_path / "out", lambda a: "x", ".md", progress=BatchProgress())
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("[1/2] done ") and err[1].startswith("[2/2] done ")


def test_progress_is_a_callback_and_silent_without_one(tmp_path, example_path, capsys):
    make_articles(tmp_path / "in", 2, example_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "article-00.md").write_text("done before\n")
    calls: list[tuple[int, int, str | None]] = []
    run_batch(
        [tmp_path / "in"],
        tmp_path / "out",
        lambda a: "x",
        ".md",
        progress=lambda done, total, item: calls.append(
            (done, total, item.status if item else None)
        ),
    )
    assert calls == [(0, 2, None), (1, 2, "skipped"), (2, 2, "done")]
    run_batch([tmp_path / "in"], tmp_path / "again", lambda a: "x", ".md")
    assert capsys.readouterr().err == ""


def test_process_error_is_reported_not_raised(tmp_path, example_path):
    make_articles(tmp_path / "in", 2, example_path)

    def process(article: Article) -> str:
        raise LLMError("endpoint http://x/v1 answered HTTP 503 (gave up after 5 tries)")

    report = run_batch([tmp_path / "in"], tmp_path / "out", process, ".md", 2)
    assert [i.status for i in report.items] == ["failed", "failed"]
    assert report.failures[0].error == (
        "endpoint http://x/v1 answered HTTP 503 (gave up after 5 tries)"
    )
    assert list((tmp_path / "out").iterdir()) == []


def test_inputs_dirs_files_and_errors(tmp_path, example_path):
    a = make_articles(tmp_path / "a", 2, example_path)
    (tmp_path / "a" / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / "a" / ".hidden.txt").write_text("x")
    extra = tmp_path / "extra.html"
    extra.write_text("An explicitly named file is taken whatever its suffix.")
    assert collect_inputs([tmp_path / "a", extra, a[0]]) == [*a, extra]  # deduplicated
    with pytest.raises(InputError, match="no such file"):
        collect_inputs([tmp_path / "missing"])
    (tmp_path / "empty-dir").mkdir()
    with pytest.raises(InputError, match="no articles found"):
        collect_inputs([tmp_path / "empty-dir"])
    with pytest.raises(InputError, match="stdin"):
        collect_inputs(["-"])
    (tmp_path / "file-not-dir").write_text("x")
    with pytest.raises(InputError, match="not a directory"):
        run_batch([tmp_path / "a"], tmp_path / "file-not-dir", lambda a: "x", ".md")
    # the output directory inside an input directory is not read as input
    run_batch([tmp_path / "a"], tmp_path / "a" / "out", lambda a: "x", ".txt")
    again = run_batch([tmp_path / "a"], tmp_path / "a" / "out", lambda a: "x", ".txt")
    assert len(again.items) == 2


def test_same_stem_in_two_folders_gets_two_outputs(tmp_path):
    paths = [tmp_path / "x" / "a.txt", tmp_path / "y" / "a.txt", tmp_path / "b.txt"]
    outs = output_paths(paths, tmp_path / "out", ".md")
    assert len(set(outs)) == 3 and outs[2].name == "b.md"
    assert all(o.name.startswith("a-") for o in outs[:2])


def test_is_batch():
    assert is_batch(["a.txt"], "out/")
    assert not is_batch(["a.txt"], "brief.md")
    assert is_batch(["a.txt"], "briefs")  # no suffix: a directory to create
    assert not is_batch(["a.txt", "b.txt"], None)
    assert is_batch(["."], "brief.md")  # a directory of inputs


def test_write_atomic_replaces_whole_file(tmp_path):
    target = tmp_path / "o.md"
    write_atomic(target, "one\n")
    write_atomic(target, "two\n")
    assert target.read_text() == "two\n"
    assert [p.name for p in tmp_path.iterdir()] == ["o.md"]


# ------------------------------------------------------------------ the CLI hooks


def cli(monkeypatch, srv: ScriptedServer, tmp_path: Path, *args: str):  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from newsdesk.cli.app import app

    monkeypatch.setenv("OPENAI_BASE_URL", srv.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-batch")
    monkeypatch.setenv("NEWSDESK_MODEL", "scripted")
    monkeypatch.setenv("NEWSDESK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NEWSDESK_MAX_RETRIES", "0")
    return CliRunner().invoke(app, list(args))


def test_brief_batch_into_a_directory(tmp_path, example_path, monkeypatch):
    make_articles(tmp_path / "in", 3, example_path)
    (tmp_path / "in" / "broken.txt").write_bytes(b"\xff\xfe\x00\x00binary")
    out = tmp_path / "briefs"
    with ScriptedServer(responder=schema_responder) as srv:
        first = cli(monkeypatch, srv, tmp_path, "brief", str(tmp_path / "in"), "-o", f"{out}/")
        assert first.exit_code == 1, first.output  # one article failed
        assert "4 articles: 3 written, 0 skipped (output exists), 1 failed" in first.stderr
        assert f"failed: {tmp_path / 'in' / 'broken.txt'}: " in first.stderr
        assert "Traceback" not in first.output
        assert sorted(p.name for p in out.iterdir()) == [f"article-0{i}.md" for i in range(3)]
        assert (out / "article-00.md").read_text().startswith("# ")
        calls = len(srv.requests)
        (tmp_path / "in" / "broken.txt").unlink()
        second = cli(monkeypatch, srv, tmp_path, "brief", str(tmp_path / "in"), "-o", str(out))
        assert second.exit_code == 0, second.output
        assert "3 articles: 0 written, 3 skipped" in second.stderr
        assert len(srv.requests) == calls
        html = cli(
            monkeypatch,
            srv,
            tmp_path,
            "brief",
            str(tmp_path / "in" / "article-01.txt"),
            "-o",
            str(tmp_path / "html"),
            "--format",
            "html",
            "--json",
        )
        assert html.exit_code == 0, html.output
        assert json.loads(html.stdout)["written"] == 1
        assert (tmp_path / "html" / "article-01.html").read_text().lstrip().startswith("<!")


def test_summarize_batch_json_outputs_and_errors(tmp_path, example_path, monkeypatch):
    paths = make_articles(tmp_path / "in", 3, example_path)
    out = tmp_path / "sums"
    with ScriptedServer(responder=schema_responder, latency=0.05) as srv:
        run = cli(
            monkeypatch,
            srv,
            tmp_path,
            "summarize",
            *map(str, paths),
            "-o",
            f"{out}/",
            "--format",
            "json",
            "--max-concurrency",
            "3",
        )
        assert run.exit_code == 0, run.output
        assert srv.max_in_flight >= 2
        for p in paths:
            data = json.loads((out / f"{p.stem}.json").read_text())
            assert data["lines"] and all(line["citations"] for line in data["lines"])
        several = cli(monkeypatch, srv, tmp_path, "summarize", *map(str, paths[:2]))
        assert several.exit_code == 2
        assert "several articles need -o DIR/" in several.stderr
        missing = cli(monkeypatch, srv, tmp_path, "summarize", "nope.txt", "-o", f"{out}/")
        assert missing.exit_code == 2 and "nope.txt: no such file" in missing.stderr


def test_batch_module_imports_nothing_of_the_cli():
    import subprocess
    import sys

    code = "import sys, newsdesk.batch; print(' '.join(sys.modules))"
    env = {"PYTHONPATH": str(SRC)}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    loaded = proc.stdout.split()
    assert "newsdesk.batch" in loaded
    assert [m for m in loaded if m.startswith(("typer", "rich", "click", "newsdesk.cli"))] == []
