"""`newsdesk doctor`: which endpoint and model, reachable, structured output, cache."""

from __future__ import annotations

from newsdesk.cli.options import BaseUrlOpt, GgufOpt, JsonOpt, ModelOpt
from newsdesk.cli.runtime import guarded


def doctor(
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    gguf: GgufOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Check the configuration: endpoint, model, reachability, structured output, cache."""

    def run() -> None:
        from newsdesk.cli.runtime import print_json, settings_from, stdout_console
        from newsdesk.diagnostics import diagnose

        settings = settings_from(model=model, base_url=base_url, gguf=gguf, no_cache=True)
        report = diagnose(settings)
        if json_out:
            print_json(report.to_dict())
        else:
            console = stdout_console()
            for label, value in report.rows():
                console.print(f"[bold]{label:>18}[/bold]  {value}", markup=True, highlight=False)
        if not report.ok:
            raise SystemExit(1)

    guarded(run)
