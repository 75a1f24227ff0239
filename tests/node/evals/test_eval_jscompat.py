"""newsdesk.evals.jscompat against JavaScript itself: the same inputs through node (RegExp,
JSON.stringify, toLowerCase) and through promptfoo's own libraries (js-rouge's tokenizer,
fastest-levenshtein) must give the same answers. Skips when node (or promptfoo's install, for the
libraries) is absent."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from newsdesk.evals import jscompat

PF = Path("/opt/pf/node_modules")
NODE = (PF / ".bin" / "node") if (PF / ".bin" / "node").is_file() else None


def node() -> str:
    found = str(NODE) if NODE else shutil.which("node")
    if found is None:
        pytest.skip("node is not installed (bash .ci/run installs node 22)")
    return found


def run_js(script: str, items: list[Any]) -> list[Any]:
    """`script` defines f(item); returns [f(item) for item in items], computed by node."""
    code = (
        f"{script}\nconst items = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        "process.stdout.write(JSON.stringify(items.map(f)));\n"
    )
    proc = subprocess.run(
        [node(), "-e", code], input=json.dumps(items), capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return list(json.loads(proc.stdout))


TEXTS = [
    'He said, "I can\'t go." Then he left.',
    "The U.S. economy grew 3.5% in Q2; analysts, however, expected 4,000 jobs.",
    "Mr. Smith's dog -- a beagle -- barked... loudly!",
    "I'm gonna wanna gimme cannot 'tis d'ye",
    "Prices (in US$) rose [sharply] {again} <really>?",
    "``Quoted'' text and 'single quotes' here.",
    "It didn't rain; we'll see, won't we?",
    "Email me at a@b.com #hashtag & more",
    "Ends with a.b.",
    '"Start quote" middle "end quote"',
    "numbers: 1,000 and 3:45 and 2.5.",
    "They're here, aren't they? Yes!",
    "  spaces   and\ttabs\nnewlines  ",
    "",
    "'Tis the season, gotta go.",
    "“Smart quotes” aren’t ASCII.",
]


def test_treebank_tokens_match_js_rouge():
    if not (PF / "js-rouge").is_dir():
        pytest.skip("promptfoo's js-rouge is not installed (bash .ci/run installs promptfoo)")
    script = f"const r = require({json.dumps(str(PF / 'js-rouge'))}); const f = r.treeBankTokenize;"
    assert run_js(script, TEXTS) == [jscompat.treebank_tokenize(t) for t in TEXTS]


def test_levenshtein_matches_fastest_levenshtein():
    if not (PF / "fastest-levenshtein").is_dir():
        pytest.skip("promptfoo's fastest-levenshtein is not installed")
    pairs = [["kitten", "sitting"], ["", "abc"], ["Straße", "strasse"], ["😀a", "a"], ["ab", "ba"]]
    lib = json.dumps(str(PF / "fastest-levenshtein"))
    script = f"const {{distance}} = require({lib}); const f = ([a, b]) => distance(a, b);"
    assert run_js(script, pairs) == [jscompat.levenshtein(a, b) for a, b in pairs]


REGEXES = [
    [r"(?<num>\d+) shipped", "Order 12345 shipped"],
    [r"(?<w>a)\k<w>", "xaay"],
    ["shipped$", "shipped\n"],
    [r"\d+", "٣٤"],
    [r"\w+é", "café"],
    [r"\bcafé\b", "un café noir"],
    [r"\s", "\u00a0"],
    [r"\S+", "\u2003"],
    ["[^]", "\n"],
    [r"a{2}", "aa"],
    [r"a{,2}", "a{,2}"],
    ["^x", "y\nx"],
    [r"\/path\/", "/path/"],
    ["(?=a)a", "a"],
    ["(?<!b)a", "ba"],
    ["colou?r", "COLOR"],
    [r"[\d-]+", "12-34"],
    [r"\u00e9", "é"],
    [r"x\.y", "xzy"],
    ["}", "}"],
]


def test_regex_translation_matches_javascript():
    script = "const f = ([p, t]) => new RegExp(p).test(t);"
    expected = run_js(script, REGEXES)
    assert [jscompat.js_regex(p).search(t) is not None for p, t in REGEXES] == expected


VALUES: list[Any] = [
    {"a": 1.0, "b": [1.5, 2e21, -0.0], "c": "é", "d": None},
    [True, False, "x\u2028y"],
    3.0,
    0.1,
]


def test_json_stringify_and_lowercase_match_javascript():
    assert run_js("const f = JSON.stringify;", VALUES) == [jscompat.js_stringify(v) for v in VALUES]
    words = ["STRAßE", "İstanbul", "ΣΊΣΥΦΟΣ", "ǅ", "ẞ"]
    assert run_js("const f = (s) => s.toLowerCase();", words) == [w.lower() for w in words]


TEMPLATES: list[tuple[str, dict[str, Any]]] = [
    ("Hello {{ name }}!", {"name": "Ada"}),
    ("{{ missing }}|{{ missing.deeper }}|", {}),
    ("{{ flag }} {{ n }} {{ x }} {{ none }}", {"flag": True, "n": 5, "x": 2.5, "none": None}),
    ("{{ items }}", {"items": ["a", "b", 3]}),
    ("{{ items | join(', ') }} ({{ items | length }})", {"items": ["a", "b"]}),
    ("{% for i in items %}{{ loop.index }}={{ i }};{% endfor %}", {"items": ["x", "y"]}),
    ("{% if n > 3 %}big{% else %}small{% endif %}", {"n": 5}),
    ("{{ name | upper }} {{ name | lower }} {{ name | title }}", {"name": "ada lovelace"}),
    ("{{ obj | dump }}", {"obj": {"a": 1, "b": [True, None]}}),
    ("{{ (cfg | load).tone }}", {"cfg": '{"tone": "formal"}'}),
    ("{{ name | replace('a', 'o') }} {{ missing | default('dflt') }}", {"name": "banana"}),
    ("line\n{{ name }}\n", {"name": "trailing newline kept"}),
    ("{{ obj.inner.k }}", {"obj": {"inner": {"k": "v"}}}),
]


def test_templates_render_as_nunjucks_does():
    if not (PF / "nunjucks").is_dir():
        pytest.skip("promptfoo's nunjucks is not installed (bash .ci/run installs promptfoo)")
    from newsdesk.evals.assertions import render_template

    lib = json.dumps(str(PF / "nunjucks"))
    script = (
        f"const n = require({lib}); const e = n.configure({{autoescape: false}});"
        "e.addFilter('load', (s) => JSON.parse(s));"
        "const f = ([t, v]) => e.renderString(t, v);"
    )
    items = [[t, v] for t, v in TEMPLATES]
    assert [render_template(t, v) for t, v in TEMPLATES] == run_js(script, items)


def test_console_log_in_a_javascript_assertion_does_not_shift_replies():
    """A user's console.log goes to stderr: every call still gets its own reply."""
    from newsdesk.evals.node import NodeWorker, node_binary

    if node_binary() is None:
        pytest.skip("node is not installed (bash .ci/run installs node 22)")
    w = NodeWorker()
    try:
        noisy = (
            'console.log("{\\"id\\": 99, \\"ok\\": true, \\"value\\": 1}");\nreturn output.length'
        )
        assert w.call("assert", "abc", {}, code=noisy)[0] == 3
        assert w.call("assert", "hello", {}, code='output.includes("nothere")')[0] is False
        assert w.call("assert", "x", {}, code="true")[0] is True
    finally:
        w.close()
