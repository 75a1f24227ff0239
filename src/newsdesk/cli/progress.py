"""Progress on stderr: the callbacks the CLI hands to long runs (map-reduce summaries, batches).

The runs themselves (tasks.summarize, newsdesk.batch) only call `progress(done, total, ...)`;
what the user sees, a rich bar on a terminal or plain lines, is decided here.
"""

from __future__ import annotations

import sys
from typing import Any

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

from newsdesk.batch import BatchItem
from newsdesk.cli.runtime import stderr_console


def _bar(*columns: ProgressColumn | str, transient: bool) -> Progress:
    return Progress(*columns, console=stderr_console(), transient=transient)


class ChunkProgress:
    """A rich progress bar, shown only for map-reduce runs (more than one step)."""

    def __init__(self) -> None:
        self.bar: Progress | None = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if total <= 1:
            return
        if self.bar is None:
            self.bar = _bar(
                TextColumn("summarising: chunks, then a final pass"),
                BarColumn(),
                MofNCompleteColumn(),
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("summarize", total=total)
        self.bar.update(self.task, completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


class BatchProgress:
    """A rich progress bar on a terminal; otherwise one line per finished article."""

    def __init__(self) -> None:
        self.bar: Progress | None = None
        self.task: Any = None

    def __call__(self, done: int, total: int, item: BatchItem | None) -> None:
        if item is None:  # the start: the bar shows 0/total while the first article runs
            if sys.stderr.isatty():
                self.bar = _bar(
                    TextColumn("{task.description}"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeRemainingColumn(),
                    transient=False,
                )
                self.task = self.bar.add_task("articles", total=total)
                self.bar.start()
            return
        if self.bar is not None:
            self.bar.update(self.task, advance=1, description=item.source.name[:40])
            if item.status == "failed":
                self.bar.console.print(f"failed: {item.source}: {item.error}", markup=False)
            return
        detail = f": {item.error}" if item.error else f" ({item.seconds:.1f} s)"
        print(f"[{done}/{total}] {item.status} {item.source}{detail}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
