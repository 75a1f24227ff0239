"""The command line: `app.py` the Typer app, one module per command, `options.py` the shared
options, `runtime.py` what every command does around its one call. Each module is import-light
(typer only at import time) so that `newsdesk --help` starts fast; heavy modules load inside the
command body."""
