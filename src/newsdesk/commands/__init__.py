"""One module per CLI command. Each is import-light (typer only at import time) so that
`newsdesk --help` starts fast; heavy modules load inside the command body."""
