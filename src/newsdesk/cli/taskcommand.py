"""The one command builder: a registered task (`tasks.contract.Task`) becomes its command.

Every task command takes the article (or articles), the task's own `Param`s as arguments and
options, `-o` where the task writes files or has batch mode, and the shared options (`SHARED`).
Its body is the same for every task: settings, the article, --dry-run, the client, the run
(once per value of a `several` param), the history, the output, the footer, the exit code.

Typer reads a command's parameters from its function's signature, so the builder writes that
signature from the task's data (`inspect.Signature`) and hands Typer one generic function.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from newsdesk.article import Article, load_article, read_text
from newsdesk.atomic import check_folder
from newsdesk.batch import is_batch
from newsdesk.cli.batchmode import Batch, run_batch_command
from newsdesk.cli.dryrun import print_prompts
from newsdesk.cli.options import ARTICLE_HELP, SHARED, Common, shared_parameters
from newsdesk.cli.output import file_format, formats_hint, show, write
from newsdesk.cli.progress import ChunkProgress
from newsdesk.cli.runtime import client_for, guarded, remember, settings_from, status
from newsdesk.errors import InputError
from newsdesk.tasks.contract import FileText, Job, Param, Task, View

TYPER_SETTINGS: dict[str, Any] = {
    "add_completion": False,
    "pretty_exceptions_enable": False,
    "rich_markup_mode": None,  # plain help: rich's help renderer costs ~0.25 s at every --help
}
_KW = inspect.Parameter.KEYWORD_ONLY


def _annotation(p: Param) -> Any:
    """The type and `typer.Argument`/`typer.Option` of one param."""
    if not p.flags:
        kind: Any = list[str] if p.several else str
        return Annotated[kind, typer.Argument(help=p.help, show_default=False)]
    if p.kind == "choice":  # Typer shows choices from an Enum
        choices = StrEnum(p.name.title(), {c: c for c in p.choices})  # type: ignore[misc]
        option = typer.Option(*p.flags, help=p.help, case_sensitive=False)
        return Annotated[choices, option]
    if p.kind == "int":
        return Annotated[int, typer.Option(*p.flags, help=p.help, min=p.low, max=p.high)]
    if p.kind == "bool":
        return Annotated[bool, typer.Option(*p.flags, help=p.help)]
    return Annotated[str | None, typer.Option(*p.flags, help=p.help)]


def _parameters(task: Task) -> list[inspect.Parameter]:
    several = task.several_articles or task.batch
    help_ = ARTICLE_HELP
    if task.batch and not task.several_articles:
        help_ += " More articles or directories: batch mode, with -o DIR/."
    articles: Any = list[str] if several else str
    out = [
        inspect.Parameter(
            "articles",
            _KW,
            annotation=Annotated[articles, typer.Argument(help=help_, show_default=False)],
        )
    ]
    out += [
        inspect.Parameter(p.name, _KW, annotation=_annotation(p))
        for p in task.params
        if not p.flags
    ]
    if task.batch or task.output_file:
        option = typer.Option("--output", "-o", help=task.batch_help)
        out.append(
            inspect.Parameter(
                "output", _KW, default=None, annotation=Annotated[Path | None, option]
            )
        )
    out += [
        inspect.Parameter(p.name, _KW, default=p.default, annotation=_annotation(p))
        for p in task.params
        if p.flags
    ]
    out += shared_parameters()
    if task.batch:
        out += _batch_parameters(task)
    return out


def _batch_parameters(task: Task) -> list[inspect.Parameter]:
    default = Batch()
    concurrency = typer.Option(
        "--max-concurrency",
        min=1,
        max=256,
        help="Batch mode: articles processed at once against a remote endpoint "
        "(the embedded model always takes one at a time).",
    )
    fmt = typer.Option(
        "--format",
        help=f"Batch mode (-o DIR/): each article's output format: {formats_hint(task)}.",
    )
    force = typer.Option("--force", help="Batch mode: redo articles whose output already exists.")
    return [
        inspect.Parameter(
            "max_concurrency",
            _KW,
            default=default.max_concurrency,
            annotation=Annotated[int, concurrency],
        ),
        inspect.Parameter(
            "batch_format", _KW, default=default.format, annotation=Annotated[str, fmt]
        ),
        inspect.Parameter("force", _KW, default=default.force, annotation=Annotated[bool, force]),
    ]


def task_command(task: Task) -> TyperCommand:
    """`task` as a command of the CLI."""
    several_articles = task.several_articles or task.batch
    parameters = _parameters(task)

    def command(**values: Any) -> None:
        articles = values.pop("articles")
        inputs = list(articles) if several_articles else [articles]
        output: Path | None = values.pop("output", None)
        opts = Common(**{o.field: values.pop(o.param) for o in SHARED})
        batch = None
        if task.batch:
            batch = Batch(
                values.pop("max_concurrency"), values.pop("batch_format"), values.pop("force")
            )
        values = {k: v.value if isinstance(v, StrEnum) else v for k, v in values.items()}
        guarded(lambda: run_task(task, inputs, values, output, opts, batch))

    command.__doc__ = task.help
    command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in parameters}
    single = typer.Typer(**TYPER_SETTINGS, context_settings={"help_option_names": ["-h", "--help"]})
    single.command(name=task.name)(command)
    built = typer.main.get_command(single)
    assert isinstance(built, TyperCommand)
    return built


def _batch_mode(task: Task, inputs: Sequence[str], output: Path | None) -> bool:
    if not task.batch:
        return False
    if task.several_articles:  # -o FILE is one result over them all
        return is_batch(inputs, output)
    if output is None and len(inputs) == 1:
        return False
    if output is None or not is_batch(inputs, output):
        raise InputError(f"several articles need -o DIR/ (one {task.noun} per article in DIR)")
    return True


def _check_output(task: Task, output: Path) -> None:
    if output.is_dir():
        raise InputError(f"{output}: is a directory")
    if file_format(task, output.suffix) is None:
        raise InputError(
            f"{output}: unknown suffix {output.suffix or '(none)'!r}; "
            f"use {formats_hint(task, dot=True)}"
        )
    check_folder(output)


def _check_stdin(task: Task, inputs: Sequence[str], values: dict[str, Any]) -> None:
    if inputs.count("-") > 1:
        raise InputError("- (stdin) can be given only once")
    for p in task.params:
        if p.kind == "file" and values[p.name] == "-" and "-" in inputs:
            raise InputError(f"the article and the {p.name} cannot both be read from stdin")


def _read_files(task: Task, values: dict[str, Any]) -> None:
    """A file param's path (or -) becomes its text."""
    for p in task.params:
        if p.kind == "file":
            values[p.name] = FileText(*read_text(values[p.name], what=p.name))


def run_task(
    task: Task,
    inputs: Sequence[str],
    values: dict[str, Any],
    output: Path | None,
    opts: Common,
    batch: Batch | None,
) -> None:
    display = {p.name: values.pop(p.name) for p in task.params if p.display}
    several = next((p for p in task.params if p.several), None)
    view = View(options=display, json=opts.json)
    if _batch_mode(task, inputs, output):
        assert batch is not None and output is not None, "batch mode is -o DIR/"
        run_batch_command(task, inputs, output, opts, batch, values, view)
        return
    if output is not None:
        _check_output(task, output)
    _check_stdin(task, inputs, values)
    settings = settings_from(opts)
    docs: list[Article] = [load_article(a) for a in inputs]
    _read_files(task, values)
    runs = [{**values, several.name: v} for v in values[several.name]] if several else [values]
    if opts.dry_run:
        for variables in runs:
            plan = task.plan(docs, settings, variables)
            print_prompts(plan.prompts, settings)
            if plan.note:
                typer.echo(f"--- {plan.note} ---")
        return
    llm = client_for(settings)
    failed = False
    for i, variables in enumerate(runs):
        mark = llm.usage.mark()
        bar = ChunkProgress()
        try:
            with status(f"{task.status} with {settings.model_name}…", enabled=not opts.json):
                result = task.answer(Job(docs, llm, variables, bar))
        finally:
            bar.close()
        shown = View(llm.usage.since(mark), docs[0], len(runs) > 1, display, opts.json)
        if len(docs) == 1:
            remember(settings, task, docs[0], variables, result, shown)
        if output is not None:
            write(task, result, output, shown)
        if opts.json or output is None:
            if i and not opts.json:
                typer.echo()
            show(task, result, shown)
        line = task.footer(result, shown)
        if line is not None:
            typer.echo(line, err=True)
        failed = failed or task.failed(result)
    if failed:
        raise typer.Exit(1)
