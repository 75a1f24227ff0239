"""Assertion types: promptfoo's semantics (0.123) where the types overlap, newsdesk's own for
citations.

Every check returns a Grade (pass, score, reason) with `not-` applied the way promptfoo applies
it: a pass/fail check scores 1 when the (negated) verdict passes, 0 otherwise; a graded check
(`rouge-n`, `similar`, `llm-rubric`, newsdesk's `cites`...) scores 1 - score under `not-`; a
script (`python`, `javascript`) returning a number keeps that number as its score, unclamped.
String values are templates over the test's vars (`contains: "{{ city }}"`), as in promptfoo.

Suites are code: `python`, `javascript` and transforms run what the suite says; run only suites
you trust. JavaScript runs in a real `node` (newsdesk.evals.node), never emulated.

The package, by section: `core` (Grade, EvalContext, CaseError, shared helpers), `values`
(values as templates), `text`, `scripts`, `transforms`, `similarity`, `graded` (llm-rubric),
`model_graded` (closedqa, factuality, g-eval, the context checks), `webhook`, `ported`
(promptfoo's own code, in node), `in_promptfoo` (types promptfoo itself runs), `cost` (cost and
speed), `own` (newsdesk's own) and `registry` (every type by name, validate, grade). This module
re-exports what importers use.
"""

from newsdesk.evals.assertions.core import PASSED, CaseError, Check, EvalContext, Grade
from newsdesk.evals.assertions.graded import interpret_rubric
from newsdesk.evals.assertions.registry import (
    ASSERTIONS,
    GROUP_TYPES,
    TASK_ONLY,
    grade,
    needs_node,
    output_string,
    validate,
)
from newsdesk.evals.assertions.scripts import run_python_file, script_grade
from newsdesk.evals.assertions.similarity import (
    DEFAULT_ROUGE,
    DEFAULT_SIMILAR,
    rouge_n,
)
from newsdesk.evals.assertions.text import DEFAULT_LEVENSHTEIN
from newsdesk.evals.assertions.transforms import (
    apply_transform,
    is_js_transform,
    validate_transform,
)
from newsdesk.evals.assertions.values import (
    read_data_file,
    render_template,
    render_value,
)

__all__ = [
    "ASSERTIONS",
    "DEFAULT_LEVENSHTEIN",
    "DEFAULT_ROUGE",
    "DEFAULT_SIMILAR",
    "GROUP_TYPES",
    "PASSED",
    "TASK_ONLY",
    "CaseError",
    "Check",
    "EvalContext",
    "Grade",
    "apply_transform",
    "grade",
    "interpret_rubric",
    "is_js_transform",
    "needs_node",
    "output_string",
    "read_data_file",
    "render_template",
    "render_value",
    "rouge_n",
    "run_python_file",
    "script_grade",
    "validate",
    "validate_transform",
]
