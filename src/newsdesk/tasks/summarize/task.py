"""`summarize` as one registered task: its length, how it runs, how it is shown and written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from rich.console import Console

from newsdesk.article import Article
from newsdesk.citations import Citation
from newsdesk.config import Settings
from newsdesk.llm.client import LLMClient
from newsdesk.prompts import Prompt
from newsdesk.render.terminal import footer
from newsdesk.tasks.contract import DryRun, Job, Param, Renderer, Task, TaskOutput, Vars, View
from newsdesk.tasks.summarize.prompts import plan
from newsdesk.tasks.summarize.ranking import LENGTHS
from newsdesk.tasks.summarize.render import (
    print_summary,
    summary_json,
    summary_markdown,
    summary_plain,
)
from newsdesk.tasks.summarize.results import SummaryResult
from newsdesk.tasks.summarize.run import DEFAULT_LENGTH, model_writes_summaries, summarize

RANKING_NOTE = (
    "no model call: with the embedded models, the lines are the article's top-ranked "
    "sentences (their own lines measured worse); --gguf or --base-url for a model that writes"
)


def _length(variables: Vars) -> str:
    return str(variables["length"]) if variables.get("length") else DEFAULT_LENGTH


def _markdown(result: SummaryResult, view: View) -> str:
    return summary_markdown(result, show_evidence=bool(view.options.get("show_evidence")))


def _text(result: SummaryResult, view: View) -> str:
    return summary_plain(result)


class SummarizeTask(Task):
    """In eval the output is the summary's lines, one per line; the citations every line's cited
    sentences, once each; the invalid ids those the lines dropped."""

    name = "summarize"
    help = """Summarise an article; every line carries the ids of the sentences it rests on.

    A line with no valid citation is flagged unsupported. An article longer than the prompt
    budget is summarised map-reduce over token chunks, with a progress bar on stderr. With
    --json: {length, central, chunks, lines: [{text, citations, supported, source,
    dropped_citations}], usage}. Batch mode: `summarize DIR_OR_FILES... -o OUTDIR/` writes one
    summary per article (--format md, txt or json), skips those already written, lists failures.
    """
    params = (
        Param(
            "length",
            "headline (1 line), short (3), bullets (5) or long (8).",
            flags=("--length", "-l"),
            kind="choice",
            choices=tuple(LENGTHS),
            default=DEFAULT_LENGTH,
        ),
        Param(
            "show_evidence",
            "Print the cited sentences verbatim under each line.",
            flags=("--show-evidence",),
            kind="bool",
            default=False,
            display=True,
        ),
    )
    status = "Summarising"
    batch = True
    noun = "summary"
    batch_help = "Batch mode: a directory; one summary per article in it."
    formats: ClassVar[Mapping[str, Renderer]] = {
        "markdown": _markdown,
        "text": _text,
        "json": summary_json,
    }
    exports = ("summarize", "SummaryResult", "SummaryLine")

    def answer(self, job: Job) -> SummaryResult:
        return summarize(job.article, job.llm, _length(job.variables), progress=job.progress)

    def run(
        self, article: Article, llm: LLMClient, variables: Vars, template: str | None = None
    ) -> TaskOutput:
        result = summarize(article, llm, _length(variables), template=template)
        cited: dict[str, Citation] = {}
        invalid: list[str] = []
        for line in result.lines:
            for c in line.citations:
                cited.setdefault(c.id, c)
            invalid += [i for i in line.dropped if i not in invalid]
        return TaskOutput(
            output="\n".join(line.text for line in result.lines),
            article=article,
            result=result.to_dict(),
            citations=sorted(cited.values(), key=lambda c: int(c.id[1:])),
            invalid=invalid,
        )

    def prompts(
        self, article: Article, settings: Settings, variables: Vars, template: str | None = None
    ) -> list[Prompt[Any]]:
        return list(plan(article, _length(variables), settings, template))

    def plan(self, articles: Sequence[Article], settings: Settings, variables: Vars) -> DryRun:
        if not model_writes_summaries(settings):
            return DryRun([], f"no prompt: {RANKING_NOTE}")
        prompts = self.prompts(articles[0], settings, variables)
        if len(prompts) <= 1:
            return DryRun(prompts)
        return DryRun(
            prompts,
            f"map-reduce: {len(prompts)} chunk prompts above, then one final prompt "
            "built from the sentences their summaries cite",
        )

    def terminal(self, console: Console, result: SummaryResult, view: View) -> None:
        print_summary(console, result, show_evidence=bool(view.options.get("show_evidence")))

    def footer(self, result: SummaryResult, view: View) -> str | None:
        if view.json:
            return None
        if result.method == "ranking":
            return f"note: {RANKING_NOTE}"
        return None if result.usage is None else footer(result.usage)


TASK = SummarizeTask()
