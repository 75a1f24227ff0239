"""`newsdesk doctor`: which endpoint and model, reachable, structured output, cache."""

from __future__ import annotations

from dataclasses import replace

from newsdesk.cli.options import Common, common_options
from newsdesk.cli.runtime import guarded, print_json, settings_from, stdout_console
from newsdesk.diagnostics import diagnose


@common_options("model", "base_url", "gguf", "json")
def doctor(*, opts: Common) -> None:
    """Check the configuration: endpoint, model, reachability, structured output, cache."""

    def run() -> None:

        settings = settings_from(replace(opts, no_cache=True))
        report = diagnose(settings)
        if opts.json:
            print_json(report.to_dict())
        else:
            console = stdout_console()
            for label, value in report.rows():
                console.print(f"[bold]{label:>18}[/bold]  {value}", markup=True, highlight=False)
        if not report.ok:
            raise SystemExit(1)

    guarded(run)
