"""`ask`: answer a question from the article, every citation a sentence that was shown.

`run` holds the prompt, the model call and the checks (`ask`), `render` the terminal view and
the JSON line, `task` `ask` as one registered task (`TASK`).
"""

from newsdesk.tasks.ask.run import (
    CAPABLE,
    NOT_SAID,
    SMALL,
    AskOutput,
    AskProfile,
    AskResult,
    answer_lexically,
    ask,
    build_prompt,
    confirm,
    interpret,
    profile_for,
    settle,
    tidy_answer,
    who_said,
)
from newsdesk.tasks.ask.task import TASK, AskTask

__all__ = [
    "CAPABLE",
    "NOT_SAID",
    "SMALL",
    "TASK",
    "AskOutput",
    "AskProfile",
    "AskResult",
    "AskTask",
    "answer_lexically",
    "ask",
    "build_prompt",
    "confirm",
    "interpret",
    "profile_for",
    "settle",
    "tidy_answer",
    "who_said",
]
