"""Pages newsdesk writes run nothing in headless Chromium (split from
tests/nomodel/llm/test_injection.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsdesk.cli.app import app
from newsdesk.testing import ScriptedServer, schema_responder

CHROMIUM = (
    shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
)


def rendered_dom(path: Path) -> str:
    """The DOM after load in headless Chromium: any script that ran would have marked <body>."""
    assert CHROMIUM
    proc = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--user-data-dir={path.parent / 'chromium-profile'}",
            "--virtual-time-budget=2000",
            "--dump-dom",
            path.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def check_in_browser(page: str, tmp_path: Path) -> None:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    for name, text in [
        ("page.html", page),
        # without the page's Content-Security-Policy: escaping alone must hold
        ("no-csp.html", re.sub(r"<meta[^>]+Content-Security-Policy[^>]*>", "", page, flags=re.I)),
    ]:
        path = tmp_path / name
        path.write_text(text)
        dom = rendered_dom(path)
        assert "<body" in dom
        parser = Elements()
        parser.feed(dom)
        marked = [(t, a) for t, a in parser.tags if "data-pwned" in a]
        assert not marked, f"{name}: a script ran: {marked}"
        title = re.search(r"<title>(.*?)</title>", dom, re.S)
        assert not title or title.group(1).strip() != "PWNED"  # set by the payload if it ran


def assert_inert(page: str) -> None:
    parser = Elements()
    parser.feed(page)
    tags = parser.tags
    assert not [t for t, _ in tags if t in {"script", "iframe", "object", "embed", "svg"}]
    assert tags  # a page with no tags at all would pass the loop below vacuously
    for tag, attrs in tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for a in ("href", "src", "action", "formaction"):
            value = (attrs.get(a) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:text/html")), (tag, attrs)
    assert "data-pwned" not in {a for _, attrs in tags for a in attrs}


XSS_TEXT = "<script>document.body.setAttribute('data-pwned','model')</script><b onmouseover=x>hi"


XSS_ARTICLE = (
    "The council met on Tuesday <script>document.title='PWNED';"
    "document.body.setAttribute('data-pwned','script')</script> to approve the budget.\n\n"
    "Officials said <img src=x onerror=\"document.body.setAttribute('data-pwned','img')\"> "
    "the plan would cut bus services.\n\n"
    "Residents can read more <a href=\"javascript:document.body.setAttribute('data-pwned','a')\">"
    'here</a> or at <iframe src="javascript:alert(1)"></iframe> the town hall.\n\n'
    "Mayor Jane Roe said <svg onload=\"document.body.setAttribute('data-pwned','svg')\"> taxes "
    "would not rise. The union said it would strike.\n"
)


def test_briefing_html_runs_nothing(tmp_path, monkeypatch):
    article = tmp_path / "xss.txt"
    article.write_text(XSS_ARTICLE)
    out = tmp_path / "brief.html"
    monkeypatch.setenv("NEWSDESK_CACHE_DIR", str(tmp_path / "cache"))
    with ScriptedServer(responder=lambda req: schema_responder(req, text=XSS_TEXT)) as srv:
        result = CliRunner().invoke(
            app,
            ["brief", str(article), "-o", str(out), "--base-url", srv.url, "--model", "m"],
            env={"OPENAI_API_KEY": "k"},
        )
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert "&lt;script&gt;" in page  # the article's markup is shown, as text
    assert_inert(page)
    check_in_browser(page, tmp_path)


def test_eval_report_html_runs_nothing(tmp_path, monkeypatch):
    article = tmp_path / "xss.txt"
    article.write_text(XSS_ARTICLE)
    with ScriptedServer(responder=lambda req: schema_responder(req, text=XSS_TEXT)) as srv:
        suite = tmp_path / "suite.yaml"
        suite.write_text(
            "description: <script>document.body.setAttribute('data-pwned','desc')</script>\n"
            "prompts: [ask]\n"
            f"providers:\n  - id: openai:m\n    config: {{base_url: '{srv.url}'}}\n"
            "tests:\n"
            "  - description: <img src=x onerror=alert(1)>\n"
            "    vars:\n"
            f"      article: {article}\n"
            "      question: \"<script>alert('q')</script> What did the council do?\"\n"
            "    assert:\n"
            "      - type: contains\n"
            '        value: "<svg onload=alert(2)>"\n'
        )
        monkeypatch.setenv("NEWSDESK_CACHE_DIR", str(tmp_path / "cache"))
        report = tmp_path / "report.html"
        result = CliRunner().invoke(
            app, ["eval", str(suite), "-o", str(report)], env={"OPENAI_API_KEY": "k"}
        )
    assert result.exit_code == 1, result.output  # the contains assertion fails, by design
    page = report.read_text()
    assert "&lt;script&gt;" in page and "&lt;svg onload=alert(2)&gt;" in page
    assert_inert(page)
    check_in_browser(page, tmp_path)


def test_the_browser_check_detects_a_script_that_runs(tmp_path):
    """Control: the same harness on a page that does run the payload must see it."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    path = tmp_path / "control.html"
    path.write_text(
        "<!DOCTYPE html><html><head><title>t</title></head><body><p>x</p>"
        "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\"></body></html>"
    )
    assert "data-pwned" in rendered_dom(path)
    with pytest.raises(AssertionError):
        check_in_browser(path.read_text(), tmp_path)
