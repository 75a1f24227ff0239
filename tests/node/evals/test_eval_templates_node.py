"""Templates through the real nunjucks under node (split from
tests/nomodel/evals/test_eval_templates.py, which holds the paths without node)."""

from __future__ import annotations

import pytest

from newsdesk.evals import templates
from tests.helpers.node import require_node
from tests.nomodel.evals.test_eval_templates import NUNJUCKS_ONLY, PLAIN


@pytest.mark.parametrize(("template", "variables", "expected"), NUNJUCKS_ONLY)
def test_nunjucks_renders_what_jinja_would_not(template, variables, expected):
    require_node()
    assert templates.render_string(template, variables) == expected


def test_the_pure_path_renders_plain_templates_as_nunjucks_does(monkeypatch):
    require_node()
    with_node = [templates.render_prompt(t, v) for t, v in PLAIN]
    monkeypatch.setenv("NEWSDESK_NODE", "/nonexistent/node")
    assert templates._node() is None
    assert [templates.render_prompt(t, v) for t, v in PLAIN] == with_node
