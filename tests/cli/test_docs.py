"""docs/cli.md must match the CLI's --help (regenerate with `make docs`)."""

from __future__ import annotations

from newsdesk.clidocs import render
from tests.helpers.paths import DOCS

DOC = DOCS / "cli.md"


def test_cli_reference_is_current():
    assert DOC.read_text() == render(), "docs/cli.md is stale: run `make docs`"


def test_every_registered_command_is_documented():
    from newsdesk.cli.app import app

    names = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    text = DOC.read_text()
    for name in names:
        assert f"## newsdesk {name}" in text
