"""`check`: is each sentence of a draft true to the article, and whose claim is it?

`run` holds the rules, the model's reading and the verdicts (`check`), `render` the terminal
view and the JSON, `task` `check` as one registered task (`TASK`).
"""

from newsdesk.tasks.check.run import (
    MAX_DRAFT_SENTENCES,
    CheckedSentence,
    CheckResult,
    admit,
    check,
    check_lines,
    draft_sentences,
    interpret,
    prompts,
    to_ask,
)
from newsdesk.tasks.check.task import TASK, CheckTask

__all__ = [
    "MAX_DRAFT_SENTENCES",
    "TASK",
    "CheckResult",
    "CheckTask",
    "CheckedSentence",
    "admit",
    "check",
    "check_lines",
    "draft_sentences",
    "interpret",
    "prompts",
    "to_ask",
]
