"""docs/cli.md must match the CLI's --help (regenerate with `make docs`)."""

from __future__ import annotations

from newsdesk.clidocs import render
from tests.helpers.paths import DOCS

DOC = DOCS / "cli.md"


def test_cli_reference_is_current():
    assert DOC.read_text() == render(), "docs/cli.md is stale: run `make docs`"


def test_every_registered_command_is_documented():
    from newsdesk.clidocs import command_paths

    paths = command_paths()
    assert ["ask"] in paths and ["check"] in paths and ["cache", "clear"] in paths
    text = DOC.read_text()
    for path in paths:
        assert f"## newsdesk {' '.join(path)}".rstrip() + "\n" in text
