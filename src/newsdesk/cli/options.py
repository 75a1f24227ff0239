"""Options the commands share, declared once, and `Common`: the bundle a command receives.

A command writes `*, opts: Common` where the shared options belong in its --help and decorates
itself with `@common_options()` (or names the few it takes: `@common_options("model", "json")`).
The decorator shows Typer the options themselves in place of `opts` and hands the command one
`Common`, so no command lists them, or copies them into `settings_from`, again.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Annotated, Any, cast

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

# Batch mode (brief and summarize with -o DIR/).
MaxConcurrencyOpt = Annotated[
    int,
    typer.Option(
        "--max-concurrency",
        min=1,
        max=256,
        help="Batch mode: articles processed at once against a remote endpoint "
        "(the embedded model always takes one at a time).",
    ),
]
BatchFormatOpt = Annotated[
    str,
    typer.Option(
        "--format",
        help="Batch mode (-o DIR/): each article's output format: md, html or json.",
    ),
]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="Batch mode: redo articles whose output already exists.")
]


@dataclass(frozen=True)
class Common:
    """The shared options, as one value. Field order is their order in --help."""

    model: str | None = None
    base_url: str | None = None
    gguf: Path | None = None
    json: bool = False
    no_cache: bool = False
    dry_run: bool = False
    deterministic: bool = False


# Each field's option; the parameter Typer sees is named after the field (json: `json_out`,
# so that it does not shadow the json module in a command's body).
_OPTIONS: dict[str, tuple[str, Any]] = {
    "model": ("model", ModelOpt),
    "base_url": ("base_url", BaseUrlOpt),
    "gguf": ("gguf", GgufOpt),
    "json": ("json_out", JsonOpt),
    "no_cache": ("no_cache", NoCacheOpt),
    "dry_run": ("dry_run", DryRunOpt),
    "deterministic": ("deterministic", DeterministicOpt),
}
_DEFAULTS = Common()


def common_options(*names: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command the shared options (all, or the `names` fields of Common) as one `opts`."""
    chosen = [f.name for f in fields(Common) if not names or f.name in names]
    unknown = set(names) - set(_OPTIONS)
    if unknown:
        raise TypeError(f"unknown shared options: {sorted(unknown)}")

    def decorate(fn: Callable[..., None]) -> Callable[..., None]:
        sig = inspect.signature(fn, eval_str=True)
        if sig.parameters.get("opts", None) is None or (
            sig.parameters["opts"].kind is not inspect.Parameter.KEYWORD_ONLY
        ):
            raise TypeError(f"{fn.__name__}: declare `*, opts: Common` for the shared options")
        shown = {name: _OPTIONS[name][0] for name in chosen}
        params: list[inspect.Parameter] = []
        for p in sig.parameters.values():
            if p.name != "opts":
                params.append(p)
                continue
            params += [
                inspect.Parameter(
                    shown[name],
                    inspect.Parameter.KEYWORD_ONLY,
                    default=getattr(_DEFAULTS, name),
                    annotation=_OPTIONS[name][1],
                )
                for name in chosen
            ]

        @functools.wraps(fn)
        def command(*args: Any, **kwargs: Any) -> None:
            opts = Common(**{name: kwargs.pop(param) for name, param in shown.items()})
            fn(*args, **kwargs, opts=opts)

        cast(Any, command).__signature__ = sig.replace(parameters=params)  # what Typer reads
        command.__annotations__ = {p.name: p.annotation for p in params}
        return command

    return decorate
