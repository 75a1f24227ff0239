"""Tests that need node: a skip on a machine without it, a failure in CI (.ci/run sets
NEWSDESK_REQUIRE_PROMPTFOO=1 once it has installed node 22 and promptfoo), so that a regression in
finding node can never pass there as a skip."""

from __future__ import annotations

import os

import pytest

from newsdesk.evals.node import node_version
from tests.helpers.needs import use


def require_node() -> None:
    use("node", "require_node()")  # fails outside tests/node and tests/chromium
    if node_version() is not None:
        return
    message = "node is not installed (bash .ci/run installs node 22)"
    if os.environ.get("NEWSDESK_REQUIRE_PROMPTFOO") == "1":
        pytest.fail(message)
    pytest.skip(message)
