"""newsdesk's tasks as a promptfoo provider: teams that run promptfoo test ask, summarize, stance,
brief and check there, with newsdesk's citations in the response metadata.

    providers:
      - id: file:///.../newsdesk/promptfoo_provider.py  # python -m newsdesk.promptfoo_provider
        config: {task: ask}     # base_url / model / api_key: else newsdesk's own settings
    tests:
      - vars: {article: story.txt, question: "Who resigned?"}

promptfoo calls `call_api(prompt, options, context)` in the Python it is given
(PROMPTFOO_PYTHON: one where newsdesk is installed). The article is the `article` var (a path,
relative to where promptfoo runs, or the text); the task's other vars come from the test's vars,
and `question` (ask) or `claim` defaults to the rendered prompt. The output is the task's answer
as `newsdesk eval` grades it; metadata holds `citations` (id, sentence text) and the task's
`result` (its --json).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from newsdesk.config import load_settings
from newsdesk.errors import NewsdeskError
from newsdesk.evals.tasks import required_vars, resolve_article, run_task
from newsdesk.llm.client import LLMClient

TASKS = ("ask", "summarize", "stance", "brief", "check")


def call_api(prompt: str, options: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    config = dict((options or {}).get("config") or {})
    task = str(config.get("task", "ask"))
    if task not in TASKS:
        return {"error": f"newsdesk: config.task is one of {', '.join(TASKS)}, not {task!r}"}
    variables = dict((context or {}).get("vars") or {})
    for name in required_vars(task):
        if name != "article" and not variables.get(name):
            variables[name] = prompt  # the rendered prompt stands for the task's one input
    if not variables.get("article"):
        return {"error": "newsdesk: the test needs an `article` var (a path or the text)"}
    try:
        keys = ("base_url", "api_key", "model")
        settings = load_settings(**{k: config[k] for k in keys if config.get(k)})
        article = resolve_article(variables["article"], Path.cwd())
        out = run_task(task, article, variables, LLMClient(settings), f"{task}.j2")
    except NewsdeskError as exc:
        return {"error": f"newsdesk: {exc}"}
    citations = [{"id": c.id, "text": c.text} for c in out.citations]
    metadata = {"task": task, "citations": citations, "result": out.result}
    return {"output": out.output, "metadata": metadata}


if __name__ == "__main__":  # the path to put in a promptfoo config
    print(Path(__file__).resolve())
