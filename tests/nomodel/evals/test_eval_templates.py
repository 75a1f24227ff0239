"""Templates: the real nunjucks under node, and the pure-Python path for machines without node,
which renders plain substitutions exactly as nunjucks does and refuses anything else."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsdesk.cli.app import app
from newsdesk.evals import templates

NUNJUCKS_ONLY = [
    # (template, vars, what nunjucks renders: not what Jinja would)
    ("{{ name | title }}", {"name": "grace HOPPER"}, "Grace Hopper"),
    ("{{ s | truncate(12) }}", {"s": "The quick brown fox"}, "The quick..."),
    ("{{ items.length }}", {"items": ["a", "b", "c"]}, "3"),
    ("{{ 'x' ~ (9/3) }} {{ 7 / 2 }}", {}, "x3 3.5"),
    ("{% for k, v in o %}{{ k }}={{ v }};{% endfor %}", {"o": {"a": 1, "b": 2}}, "a=1;b=2;"),
    ("{{ flag }} {{ none }} {{ xs }}", {"flag": True, "none": None, "xs": [1, 2]}, "true  1,2"),
]

PLAIN = [
    ("Hi {{ name }}, {{ a.b }}{{ missing }}!", {"name": "Ada", "a": {"b": 2.0}}),
    ('[{"role": "user", "content": "{{ q }}"}]', {"q": "why?"}),
    ("{{ who }} likes {{ food }}", {"who": "{{ name }}", "name": "Bo", "food": "figs\n"}),
    ("tail {{ t }}", {"t": "line\n"}),
]


def test_without_node_a_nunjucks_construct_is_refused(monkeypatch):
    monkeypatch.setenv("NEWSDESK_NODE", "/nonexistent/node")
    with pytest.raises(templates.TemplateError, match=r"'\{\{ n \| title \}\}'.*install node"):
        templates.render_string("{{ n | title }}", {"n": "x"})
    assert templates.render_string("{{ n }}", {"n": "x"}) == "x"


def test_without_node_a_suite_with_nunjucks_is_a_load_error(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("NEWSDESK_NODE", "/nonexistent/node")
    suite = tmp_path / "s.yaml"
    suite.write_text(
        "prompts: ['Say {{ word }}']\nproviders: [echo]\n"
        "tests:\n  - vars: {word: \"{{ 'a' ~ 'b' }}\"}\n"
    )
    result = CliRunner().invoke(app, ["eval", str(suite)])
    assert result.exit_code == 2
    line = result.output.strip()
    assert f"{suite}:4:" in line and "nunjucks under node" in line and "\n" not in line


@pytest.mark.parametrize(
    ("assertion", "why"),
    [
        ("{type: word-count, value: 3}", "word-count assertion"),
        ("{type: regex, value: '^[\\s\\S]*$'}", "install node"),
    ],
)
def test_without_node_promptfoos_javascript_checks_are_load_errors(
    tmp_path: Path, monkeypatch, assertion, why
):
    monkeypatch.setenv("NEWSDESK_NODE", "/nonexistent/node")
    suite = tmp_path / "s.yaml"
    suite.write_text(
        f"prompts: [hi]\nproviders: [echo]\ntests:\n  - assert:\n      - {assertion}\n"
    )
    result = CliRunner().invoke(app, ["eval", str(suite)])
    assert result.exit_code == 2
    assert f"{suite}:5:" in result.output and why in result.output
