"""Batch mode, shared by `brief` and `summarize` with -o DIR/: one output per article.

Checks --format, makes one client, runs newsdesk.batch.run_batch with a progress bar on stderr,
prints the summary and the failures, exits 1 when any article failed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from newsdesk.cli.options import Batch, Common
from newsdesk.cli.output import PLAIN, View

if TYPE_CHECKING:
    from newsdesk.article import Article
    from newsdesk.batch import BatchReport
    from newsdesk.llm.client import LLMClient


def finish(report: BatchReport, json_out: bool = False) -> None:
    """Print the summary (stderr) and the failures; exit 1 when any article failed."""
    if json_out:
        import json

        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    typer.echo(report.summary(), err=True)
    for item in report.failures:
        typer.echo(f"failed: {item.source}: {item.error}", err=True)
    if report.failures:
        raise typer.Exit(1)


def run_batch_command(
    command: str,
    inputs: Sequence[str],
    outdir: Path,
    *,
    opts: Common,
    batch: Batch,
    task: Callable[[LLMClient], Callable[[Article], Any]],
    view: View = PLAIN,
) -> None:
    """`task(llm)` returns the per-article call; its result is rendered in --format.

    The embedded model serves one request at a time (more threads only queue), so its
    concurrency is 1.
    """
    from newsdesk.batch import run_batch
    from newsdesk.cli.output import file_format, formats_hint, render
    from newsdesk.cli.progress import BatchProgress
    from newsdesk.cli.runtime import client_for, settings_from
    from newsdesk.errors import InputError

    suffix = "." + batch.format.lower().lstrip(".")
    fmt = file_format(command, suffix)
    if fmt is None:
        raise InputError(f"--format {batch.format}: use {formats_hint(command)}")
    settings = settings_from(opts)
    max_concurrency = 1 if settings.embedded else batch.max_concurrency
    run = task(client_for(settings))

    def process(doc: Article) -> str:
        return render(command, run(doc), fmt, view)

    bar = BatchProgress()
    try:
        report = run_batch(
            inputs, outdir, process, suffix, max_concurrency, force=batch.force, progress=bar
        )
    finally:
        bar.close()
    finish(report, opts.json)
