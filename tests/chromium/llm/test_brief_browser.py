"""Briefing pages in headless Chromium: a hostile article stays inert, a real brief renders (split
from tests/nomodel/llm/test_brief.py)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from newsdesk.article import parse_article
from tests.nomodel.llm.test_brief import rule_brief, run
from tests.small_model.llm import test_brief_model
from tests.small_model.llm.test_brief_model import check_html

briefed = test_brief_model.briefed  # the fixture: one real brief, shared through the cache

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def screenshot(page: Path, tmp_path: Path) -> Path:
    png = tmp_path / "shot.png"
    subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={png}",
            "--window-size=1200,1600",
            page.resolve().as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return png


HOSTILE = (
    "Officials said the <script>document.body.setAttribute('data-pwned','1')</script> plan "
    "would pass.\n\n"
    "A source said <img src=x onerror=\"document.body.setAttribute('data-pwned','1')\"> "
    "nothing was agreed.\n\n"
    'Click <a href="javascript:alert(1)">here</a> or [see](http://evil.example/x.png) '
    "for **more** [S9].\n\n"
    "The ministry denied the report.\n"
)


def test_hostile_article_html_is_inert(tmp_path):
    art = parse_article(HOSTILE, "hostile.txt")
    page = tmp_path / "hostile.html"
    from newsdesk.tasks.brief.render import render_html, render_markdown

    page.write_text(render_html(rule_brief(art)), encoding="utf-8")
    html = page.read_text()
    check_html(html)
    assert "&lt;script&gt;" in html and "Content-Security-Policy" in html
    from markdown_it import MarkdownIt

    md = render_markdown(rule_brief(art))
    as_html = MarkdownIt("commonmark").render(md)  # raw HTML and links allowed, as on GitHub
    assert "&lt;script&gt;" in as_html
    for bad in ("<script", "<img", "<a ", ' href="', "<strong>more"):
        assert bad not in as_html, bad
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    dom = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'p'}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "<body>" in dom and 'data-pwned="1"' not in dom  # nothing in the page ran


@pytest.mark.llm
def test_real_brief_html_markdown_and_terminal(briefed, example_path, example_article, tmp_path):
    page = briefed / "b.html"
    r = run("brief", str(example_path), "-o", str(page))
    assert r.exit_code == 0, r.output
    html = page.read_text(encoding="utf-8")
    parsed = check_html(html)
    assert "http://" not in html and "https://" not in html  # no external URL at all
    assert {s.id for s in example_article.sentences} <= parsed.ids  # the article text is shown
    assert any(h.startswith("#S") for h in parsed.hrefs)

    md_path = briefed / "b.md"
    r = run("brief", str(example_path), "-o", str(md_path))
    assert r.exit_code == 0, r.output
    md = md_path.read_text()
    for heading in ("Key points", "Who is who", "Unknown or unconfirmed", "Questions to ask next"):
        assert heading in md
    import re

    labels = set(re.findall(r"\\\[(S\d+)", md))
    assert labels and labels <= set(example_article.by_id)
    from rich.console import Console
    from rich.markdown import Markdown

    console = Console(record=True, width=100)
    console.print(Markdown(md))
    shown = console.export_text()
    assert "Key points" in shown and "\\[" not in shown and "[S" in shown

    r = run("brief", str(example_path))  # no -o: Markdown rendered to the terminal
    assert r.exit_code == 0 and "Questions to ask next" in r.output

    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    png = screenshot(page, tmp_path)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a rendered, non-blank page
