"""Many articles, one output each: `newsdesk brief|summarize DIR_OR_FILES... -o OUTDIR/`.

`run_batch` loads each article, hands it to `process` (which returns the output text), and writes
the text to OUTDIR/<name><suffix> through a temp file and a rename, so an output file is either
complete or absent. That makes a batch resumable: an article whose output exists is skipped. A
failing article does not stop the others; failures are listed at the end. Remote endpoints are
called from up to `max_concurrency` threads; the embedded model serves one request at a time, so
callers pass 1 for it. Progress is a callback, so this module knows nothing of terminals or the
CLI (newsdesk.cli.batchmode runs it for the commands).

Only the standard library and pydantic (the two records) at import time; `is_batch` runs before
every summarize/brief, which loads pydantic for its result anyway.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, as_completed, wait
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, computed_field, field_serializer

from newsdesk.article import Article, load_article
from newsdesk.atomic import write_atomic
from newsdesk.errors import InputError, NewsdeskError
from newsdesk.llm.client import redact
from newsdesk.schema import Record

if TYPE_CHECKING:
    from concurrent.futures import Future

ARTICLE_SUFFIXES = (".txt", ".text", ".md")


class BatchItem(Record):
    source: Path
    output: Path
    status: str = "pending"  # done | skipped | failed
    error: str | None = None
    seconds: float = 0.0

    @field_serializer("seconds")
    def _round(self, seconds: float) -> float:
        return round(seconds, 3)


class BatchReport(Record):
    """--json prints the counts first and the items last; pydantic prints computed fields after
    the others, so the fields printed after a count are excluded and shown again as computed."""

    outdir: Path
    items: list[BatchItem] = Field(default_factory=list, exclude=True)
    seconds: float = Field(default=0.0, exclude=True)
    max_concurrency: int = Field(default=1, exclude=True)

    def _count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)

    def _done(self) -> int:
        return self._count("done")

    def _skipped(self) -> int:
        return self._count("skipped")

    done = property(_done)

    @property
    def failures(self) -> list[BatchItem]:
        return [i for i in self.items if i.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        rate = self.done / self.seconds if self.seconds and self.done else 0.0
        return (
            f"{len(self.items)} articles: {self.done} written, {self.skipped} skipped "
            f"(output exists), {len(self.failures)} failed; {self.seconds:.1f} s"
            + (f", {rate:.2f} articles/s" if rate else "")
            + f" -> {self.outdir}"
        )

    def _articles(self) -> int:
        return len(self.items)

    def _failed(self) -> int:
        return len(self.failures)

    def _seconds(self) -> float:
        return round(self.seconds, 3)

    def _max_concurrency(self) -> int:
        return self.max_concurrency

    def _items(self) -> list[BatchItem]:
        return self.items

    articles = computed_field(property(_articles))
    written = computed_field(property(_done))
    skipped = computed_field(property(_skipped))
    failed = computed_field(property(_failed))
    seconds_ = computed_field(alias="seconds")(property(_seconds))
    max_concurrency_ = computed_field(alias="max_concurrency")(property(_max_concurrency))
    items_ = computed_field(alias="items")(property(_items))


# ---------------------------------------------------------------- inputs and outputs


def is_batch(inputs: Sequence[str], output: str | Path | None) -> bool:
    """Batch mode: -o is a directory (existing, ending in '/', or without a file suffix), or an
    input is a directory. A single output file always has a suffix (.md, .html, .json)."""
    if output is None:
        return False
    out = str(output)
    if out.endswith(("/", os.sep)) or Path(out).is_dir() or not Path(out).suffix:
        return True
    return any(i != "-" and Path(i).is_dir() for i in inputs)


def collect_inputs(inputs: Iterable[str | Path], outdir: Path | None = None) -> list[Path]:
    """Article files from files and directories (a directory's *.txt, *.text, *.md, sorted).

    Raises InputError for a path that does not exist, stdin, or when nothing is found.
    """

    out_resolved = outdir.resolve() if outdir is not None else None
    found: list[Path] = []
    seen: set[Path] = set()
    for raw in inputs:
        if str(raw) == "-":
            raise InputError("batch mode reads files and directories, not stdin (-)")
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{raw}: no such file or directory")
        if path.is_dir():
            if out_resolved is not None and path.resolve() == out_resolved:
                continue
            candidates = sorted(
                p
                for p in path.iterdir()
                if p.is_file() and not p.name.startswith(".") and p.suffix in ARTICLE_SUFFIXES
            )
        else:
            candidates = [path]
        for p in candidates:
            key = p.resolve()
            if key not in seen:
                seen.add(key)
                found.append(p)
    if not found:
        raise InputError(
            "no articles found (a directory is searched for " + ", ".join(ARTICLE_SUFFIXES) + ")"
        )
    return found


def output_paths(sources: Sequence[Path], outdir: Path, suffix: str) -> list[Path]:
    """OUTDIR/<stem><suffix>; sources sharing a stem get a short hash of their path appended."""
    stems: dict[str, int] = {}
    for s in sources:
        stems[s.stem] = stems.get(s.stem, 0) + 1
    out = []
    for s in sources:
        name = s.stem
        if stems[name] > 1:
            name += "-" + hashlib.sha1(str(s.resolve()).encode()).hexdigest()[:8]
        out.append(outdir / f"{name}{suffix}")
    return out


def is_complete(path: Path) -> bool:
    """Written by a finished run: outputs only ever appear through a rename of a full file."""
    try:
        return path.is_file() and path.stat().st_size > 0
    except OSError:
        return False


# ---------------------------------------------------------------- running

# progress(done, total, item): once with item None before the first article, then once for
# each article finished or skipped, in the calling thread
Progress = Callable[[int, int, BatchItem | None], None]


def _describe(exc: BaseException) -> str:

    if isinstance(exc, NewsdeskError):
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__

    text = f"internal error: {type(exc).__name__}: {exc}".splitlines()[0]
    return redact(text, os.environ.get("OPENAI_API_KEY"))


def run_batch(
    inputs: Iterable[str | Path],
    outdir: str | Path,
    process: Callable[[Article], str],
    suffix: str,
    max_concurrency: int = 1,
    *,
    force: bool = False,
    progress: Progress | None = None,
    load: Callable[[Path], Article] | None = None,
) -> BatchReport:
    """Run `process` over every article; one output per article; failures collected, not raised.

    `process` gets the loaded Article (its `source` is the file path) and returns the output text.
    `suffix` is the output file suffix (".md", ".json", ...). Raises InputError only for bad
    inputs (nothing to do); everything that goes wrong with one article is in the report.
    """

    if max_concurrency < 1:
        raise InputError("--max-concurrency must be at least 1")
    out = Path(outdir)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a directory")
    sources = collect_inputs(inputs, out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{out}: cannot create the output directory ({exc.strerror})") from None
    if load is None:
        load = load_article
    loader = load
    report = BatchReport(outdir=out, max_concurrency=max_concurrency)
    report.items = [
        BatchItem(source=src, output=dst)
        for src, dst in zip(sources, output_paths(sources, out, suffix), strict=True)
    ]
    start = time.perf_counter()
    total, finished_count = len(report.items), 0

    def advance(item: BatchItem) -> None:
        nonlocal finished_count
        finished_count += 1
        if progress is not None:
            progress(finished_count, total, item)

    if progress is not None:
        progress(0, total, None)

    def one(item: BatchItem) -> BatchItem:
        t0 = time.perf_counter()
        try:
            text = process(loader(item.source))
            if not text:
                raise InputError("produced an empty output")
            write_atomic(item.output, text if text.endswith("\n") else text + "\n")
            item.status = "done"
        except Exception as exc:
            item.status, item.error = "failed", _describe(exc)
        item.seconds = time.perf_counter() - t0
        return item

    todo = []
    for item in report.items:
        if not force and is_complete(item.output):
            item.status = "skipped"
            advance(item)
        else:
            todo.append(item)
    try:
        if max_concurrency == 1:
            for item in todo:
                advance(one(item))
        else:
            with ThreadPoolExecutor(max_concurrency, thread_name_prefix="newsdesk-batch") as pool:
                pending: set[Future[BatchItem]] = set()
                queue = iter(todo)
                try:
                    # Keep at most 2x workers queued: an interrupt leaves little to cancel.
                    for item in queue:
                        pending.add(pool.submit(one, item))
                        if len(pending) >= 2 * max_concurrency:
                            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                            for f in finished:
                                advance(f.result())
                    for f in as_completed(pending):
                        advance(f.result())
                except BaseException:
                    for f in pending:
                        f.cancel()
                    raise
    finally:
        report.seconds = time.perf_counter() - start
    return report
