"""Batch mode, for a task that has it (brief, summarize) with -o DIR/: one output per article.

Checks --format, makes one client, runs newsdesk.batch.run_batch with a progress bar on stderr,
prints the summary and the failures, exits 1 when any article failed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from newsdesk.article import Article
from newsdesk.batch import BatchReport, run_batch
from newsdesk.cli.options import Common
from newsdesk.cli.output import file_format, formats_hint
from newsdesk.cli.progress import BatchProgress
from newsdesk.cli.runtime import client_for, settings_from
from newsdesk.errors import InputError
from newsdesk.tasks.contract import Job, Task, View


@dataclass(frozen=True)
class Batch:
    """Batch mode's options."""

    max_concurrency: int = 4
    format: str = "md"
    force: bool = False


def finish(report: BatchReport, json_out: bool = False) -> None:
    """Print the summary (stderr) and the failures; exit 1 when any article failed."""
    if json_out:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    typer.echo(report.summary(), err=True)
    for item in report.failures:
        typer.echo(f"failed: {item.source}: {item.error}", err=True)
    if report.failures:
        raise typer.Exit(1)


def run_batch_command(
    task: Task,
    inputs: Sequence[str],
    outdir: Path,
    opts: Common,
    batch: Batch,
    variables: dict[str, Any],
    view: View,
) -> None:
    """Each article's result, rendered in --format into `outdir`.

    The embedded model serves one request at a time (more threads only queue), so its
    concurrency is 1.
    """
    suffix = "." + batch.format.lower().lstrip(".")
    fmt = file_format(task, suffix)
    if fmt is None:
        raise InputError(f"--format {batch.format}: use {formats_hint(task)}")
    settings = settings_from(opts)
    max_concurrency = 1 if settings.embedded else batch.max_concurrency
    llm = client_for(settings)

    def process(doc: Article) -> str:
        return task.render(fmt, task.answer(Job([doc], llm, variables)), view)

    bar = BatchProgress()
    try:
        report = run_batch(
            inputs, outdir, process, suffix, max_concurrency, force=batch.force, progress=bar
        )
    finally:
        bar.close()
    finish(report, opts.json)
