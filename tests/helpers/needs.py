"""A test's folder says what it needs to run, and this plugin (loaded by tests/conftest.py) fails a
test that uses more than its folder allows.

The folders, lightest first; each allows its own need and every lighter one:

    tests/nomodel/        no model at all (the scripted server, `newsdesk.testing`, is no model)
    tests/small_model/    the embedded 270M model: fixtures `llm`, `desk_url`
    tests/default_model/  the default embedded model (qwen): fixture `instruct_llm`
    tests/node/           node or promptfoo: `tests.helpers.node.require_node`, a promptfoo binary
    tests/chromium/       Chromium, bare or through Playwright

Each test gets the marker of its folder (`pytest -m nomodel` runs the fast ones). A test fails when
  - it requests a fixture of a heavier need (FIXTURES);
  - it asks for an embedded server of a heavier need (`newsdesk.llm.embedded.server_url`) or
    starts one (`xllamacpp.Server`), in this process: a CLI run in a subprocess is not seen;
  - it launches Chromium, Playwright's driver or promptfoo (`subprocess.Popen`) outside their
    folder, or calls `require_node()` outside tests/node or tests/chromium;
  - it sits in no need folder.
tests/nomodel/test_needs.py proves each rule can fail, on a temporary test tree.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

NEEDS = ("nomodel", "small_model", "default_model", "node", "chromium")
FIXTURES = {"llm": "small_model", "desk_url": "small_model", "instruct_llm": "default_model"}

_current: dict[str, pytest.Item | None] = {"item": None}
_violations: dict[str, list[str]] = {}
_installed: list[bool] = []


def need_of(item: pytest.Item) -> str | None:
    """The need folder a test sits in (its first path component that names a need)."""
    try:
        parts = Path(item.path).relative_to(item.config.rootpath).parts
    except ValueError:
        parts = Path(item.path).parts
    return next((p for p in parts[:-1] if p in NEEDS), None)


def use(need: str, what: str) -> None:
    """Record that the running test uses `need` (by `what`); raise if its folder forbids it."""
    item = _current["item"]
    if item is None:
        return
    folder = need_of(item) or "no need folder"
    allowed = NEEDS.index(folder) if folder in NEEDS else -1
    if NEEDS.index(need) <= allowed:
        return
    message = f"{item.nodeid}: {what} needs tests/{need}/ (or heavier), but the test is in {folder}"
    _violations.setdefault(item.nodeid, []).append(message)
    raise RuntimeError(message)


def _embedded_need(name: str | None) -> str:
    from newsdesk.config import SMALL_EMBEDDED_MODEL, load_settings

    if name == SMALL_EMBEDDED_MODEL:
        return "small_model"
    try:
        small_file = load_settings(model=SMALL_EMBEDDED_MODEL).embedded_spec.filename
    except Exception:  # a test's own broken settings: count the file as the heavier model
        small_file = None
    if name is not None and Path(name).name == small_file:
        return "small_model"
    return "default_model"


def _launch_need(args: Any) -> str | None:
    argv = [str(a) for a in args] if isinstance(args, (list, tuple)) else [str(args)]
    names = [Path(a).name for a in argv[:2]]
    if any(n.startswith(("chromium", "chrome", "google-chrome")) for n in names):
        return "chromium"
    if any("playwright" in a for a in argv[:2]):
        return "chromium"
    if any(
        n == "promptfoo" or "promptfoo" in Path(a).parts for n, a in zip(names, argv, strict=False)
    ):
        return "node"
    return None


def _install() -> None:
    if _installed:
        return
    import newsdesk.llm.embedded as embedded

    server_url = embedded.server_url

    def checked_server_url(model: str | None = None, *args: Any, **kwargs: Any) -> str:
        use(_embedded_need(model), f"the embedded server for {model or 'the default model'}")
        return server_url(model, *args, **kwargs)

    embedded.server_url = checked_server_url  # type: ignore[assignment]
    import xllamacpp

    start = xllamacpp.Server

    def checked_start(params: Any, *args: Any, **kwargs: Any) -> Any:
        path = str(params.model.path)
        use(_embedded_need(path), f"starting the embedded model {Path(path).name}")
        return start(params, *args, **kwargs)

    xllamacpp.Server = checked_start
    popen_init = subprocess.Popen.__init__

    def checked_init(self: subprocess.Popen[Any], args: Any, *a: Any, **kw: Any) -> None:
        need = _launch_need(args)
        if need is not None:
            use(need, f"launching {args if isinstance(args, str) else list(args)[:2]}")
        popen_init(self, args, *a, **kw)

    subprocess.Popen.__init__ = checked_init  # type: ignore[method-assign]
    _installed.append(True)


def pytest_configure(config: pytest.Config) -> None:
    for need in NEEDS:
        config.addinivalue_line("markers", f"{need}: set from the folder tests/{need}/")
    _install()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        need = need_of(item)
        if need is not None:
            item.add_marker(getattr(pytest.mark, need))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    _current["item"] = item
    if need_of(item) is None:
        pytest.fail(f"{item.nodeid} sits in no need folder (tests/{{{','.join(NEEDS)}}}/)")
    for name in item.fixturenames:  # type: ignore[attr-defined]
        if name in FIXTURES:
            try:
                use(FIXTURES[name], f"fixture `{name}`")
            except RuntimeError as exc:
                pytest.fail(str(exc), pytrace=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A use the folder forbids fails the test even where the code under test caught the error."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    found = _violations.pop(item.nodeid, None)
    if found and not report.failed:
        report.outcome = "failed"
        report.longrepr = "\n".join(found)
    elif found:
        report.sections.append(("what the folder forbids", "\n".join(found)))
    if call.when == "teardown":
        _current["item"] = None
