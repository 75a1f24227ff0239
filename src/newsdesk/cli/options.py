"""Options every command shares, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ArticleArg = Annotated[str, typer.Argument(help="Article file (UTF-8 text), or - for stdin.")]
ModelOpt = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        help="Model name; with no endpoint, an embedded model: qwen2.5-coder-1.5b (default) or "
        "gemma-3-270m (see `newsdesk models`) [env: NEWSDESK_MODEL].",
    ),
]
BaseUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        help="OpenAI-compatible endpoint, e.g. http://localhost:8000/v1 [env: OPENAI_BASE_URL].",
    ),
]
GgufOpt = Annotated[
    Path | None,
    typer.Option(
        "--gguf",
        help="Serve this GGUF file in-process instead of an embedded model [env: NEWSDESK_GGUF].",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Bypass the response cache.")]
DryRunOpt = Annotated[
    bool,
    typer.Option(
        "--dry-run",
        help="Print the filled prompts, their token counts and estimated cost; call nothing.",
    ),
]
DeterministicOpt = Annotated[
    bool,
    typer.Option(
        "--deterministic",
        help="Embedded model: no KV-cache reuse, so answers are reproducible (about 4x slower).",
    ),
]
