"""`newsdesk eval`: prompt regression tests (prompts x providers x tests), or compare two runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from newsdesk.atomic import check_folder, write_atomic
from newsdesk.cli.options import Common, common_options
from newsdesk.cli.runtime import fail, guarded, status, stdout_console
from newsdesk.evals.compare import compare as compare_reports
from newsdesk.evals.compare import print_comparison
from newsdesk.evals.report import (
    print_table,
    summary_line,
    to_html,
    to_json,
    to_junit,
    to_promptfoo_json,
)
from newsdesk.evals.runner import load_report, run_suites
from newsdesk.evals.suite import load_suite


@common_options("no_cache")
def eval_cmd(
    suites: Annotated[
        list[Path] | None,
        typer.Argument(help="Suite files (YAML), e.g. prompts/tests/*.yaml.", show_default=False),
    ] = None,
    max_concurrency: Annotated[
        int,
        typer.Option(
            "--max-concurrency", "-j", help="Cases run at once (the embedded model takes one)."
        ),
    ] = 4,
    *,
    opts: Common,
    repeat: Annotated[
        int, typer.Option("--repeat", help="Run each case N times and report its pass rate.")
    ] = 1,
    pass_rate: Annotated[
        float,
        typer.Option(
            "--pass-rate", help="With --repeat: share of runs a case must pass (0-1) to pass."
        ),
    ] = 1.0,
    filter_: Annotated[
        str | None,
        typer.Option("--filter", help="Only tests whose description matches (regular expression)."),
    ] = None,
    json_file: Annotated[
        Path | None, typer.Option("--json", help="Write the full results as JSON to FILE.")
    ] = None,
    junit: Annotated[
        Path | None, typer.Option("--junit", help="Write JUnit XML to FILE (for CI).")
    ] = None,
    html_file: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write FILE by its suffix: .json in promptfoo's results shape, .html a "
            "self-contained report, .xml JUnit.",
        ),
    ] = None,
    compare: Annotated[
        tuple[Path, Path] | None,
        typer.Option(
            "--compare",
            help="Compare two --json reports (A then B): new failures first. Runs nothing.",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only the summary line and failures.")
    ] = False,
) -> None:
    """Run prompt regression suites: each test's assertions on every prompt x provider.

    Exit status: 0 when every case passes, 1 when any fails, 2 for a bad suite or flags.
    """

    def run() -> None:

        if compare:
            if suites:
                fail("--compare takes two reports and runs no suite; drop the suite files")

            a, b = (load_report(p) for p in compare)
            comparison = compare_reports(a, b)
            print_comparison(stdout_console(), comparison, str(compare[0]), str(compare[1]))
            if json_file:
                write_atomic(json_file, json.dumps(comparison.to_dict(), indent=2) + "\n")
            raise typer.Exit(1 if comparison.regressed else 0)
        if not suites:
            fail("give one or more suite files (e.g. prompts/tests/*.yaml), or --compare A B")
        if max_concurrency < 1:
            fail("--max-concurrency must be at least 1")
        if repeat < 1:
            fail("--repeat must be at least 1")
        if not 0 <= pass_rate <= 1:
            fail("--pass-rate must be between 0 and 1")

        for out in (json_file, junit, html_file):
            if out is not None:
                check_folder(out)  # before the run, not after it

        loaded = [load_suite(p) for p in suites]
        with status("Running eval…"):
            report = run_suites(
                loaded,
                max_concurrency=max_concurrency,
                use_cache=not opts.no_cache,
                repeat=repeat,
                pattern=filter_,
                min_pass_rate=pass_rate,
            )
        if not report.results:
            fail(f"--filter {filter_!r} matches no test", 2)
        console = stdout_console()
        if quiet:
            for g in report.groups():
                if not g.passed:
                    typer.echo(f"FAILED {g.description} · {g.prompt} · {g.provider}")
            typer.echo(summary_line(report))
        else:
            print_table(console, report)
        if json_file:
            write_atomic(json_file, to_json(report))
        if junit:
            write_atomic(junit, to_junit(report))
        if html_file:
            by_suffix = {".json": to_promptfoo_json, ".xml": to_junit}
            write_atomic(html_file, by_suffix.get(html_file.suffix.lower(), to_html)(report))
        raise typer.Exit(0 if report.passed else 1)

    guarded(run)
