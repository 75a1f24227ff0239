"""The page as a person uses it, in Debian's Chromium driven by Playwright (no browser
download: `executable_path`). Plumbing on the small model; one test on the default model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from newsdesk.article import load_article
from newsdesk.config import DEFAULT_EMBEDDED_MODEL, load_settings
from newsdesk.serve.options import ServeOptions
from newsdesk.serve.server import serve_in_thread
from tests.chromium.llm.test_injection_browser import XSS_ARTICLE
from tests.helpers.paths import EXAMPLE, ROOT

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "build" / "artifacts"
S16 = load_article(EXAMPLE).sentences[15].text
ANSWER_TIMEOUT = 240_000  # ms: the default model reads the article on 2 cores


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Chromium is a test dependency here (CI apt-installs it)"
    with sync_playwright() as p:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield b
        b.close()


def open_page(browser: Browser, url: str) -> Page:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: errors.append("dialog: " + d.message))
    page.goto(url)
    page.errors = errors  # type: ignore[attr-defined]
    return page


def paste(page: Page, text: str) -> None:
    page.fill("#article-text", text)
    page.click("#read")
    expect(page.locator("#sentences li").first).to_be_visible()


def shot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


def test_check_a_draft_click_a_citation_and_see_the_failed_line(
    browser: Browser, desk_url: str
) -> None:
    page = open_page(browser, desk_url)
    paste(page, EXAMPLE.read_text())
    assert page.locator("#sentences li").count() == len(load_article(EXAMPLE).sentences)
    page.click("button[data-panel=check]")
    page.fill("#draft", S16 + " Mr Trump flew to Mars on a rocket.")
    page.click("#panel-check button[type=submit]")
    expect(page.locator("#panel-check .progress")).to_have_text("done", timeout=120_000)
    lines = page.locator("#panel-check .lines li")
    assert lines.count() == 2
    expect(lines.nth(1)).to_have_class("failed unsupported")
    assert lines.nth(1).get_attribute("data-verdict") != "supported"
    lines.nth(0).locator("button.cite[data-sid=S16]").click()
    expect(page.locator("#sentences li.highlight")).to_have_text(S16)
    shot(page, "serve-check.png")
    assert page.errors == []  # type: ignore[attr-defined]


def test_hostile_article_text_renders_inert(browser: Browser, desk_url: str) -> None:
    page = open_page(browser, desk_url)
    paste(page, XSS_ARTICLE)
    first = page.locator("#sentences li").first
    expect(first).to_contain_text("<script>document.title='PWNED'")  # shown as text
    page.click("button[data-panel=history]")  # the history lists the title as text too
    page.wait_for_timeout(300)
    assert page.evaluate("document.body.getAttribute('data-pwned')") is None
    assert page.title() == "newsdesk"
    for tag in ("script:not([src])", "img", "iframe", "svg", "a[href^=javascript]"):
        assert page.locator(f"main {tag}").count() == 0, tag
    assert page.errors == []  # type: ignore[attr-defined]


def test_default_model_answers_what_xi_agreed_to_with_s16(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """What a reader gets: the default model, the mission's question, its citation."""
    settings = load_settings(model=DEFAULT_EMBEDDED_MODEL).with_overrides(
        cache_dir=tmp_path_factory.mktemp("qwen-serve")
    )
    with serve_in_thread(settings, ServeOptions(port=0)) as url:
        page = open_page(browser, url)
        paste(page, EXAMPLE.read_text())
        page.fill("#question", "What did Xi agree to?")
        page.click("#panel-ask button[type=submit]")
        expect(page.locator("#panel-ask .progress")).to_have_text("done", timeout=ANSWER_TIMEOUT)
        cite = page.locator("#panel-ask button.cite[data-sid=S16]").first
        cite.click()
        expect(page.locator("#sentences li.highlight")).to_have_text(S16)
        expect(page.locator("#sentences li.highlight")).to_have_attribute("data-id", "S16")
        shot(page, "serve.png")
        assert page.errors == []  # type: ignore[attr-defined]
