"""Options the commands share, declared once, and `Common`: the bundle a command receives.

A command writes `*, opts: Common` where the shared options belong in its --help and decorates
itself with `@common_options()` (or names the few it takes: `@common_options("model", "json")`).
The decorator shows Typer the options themselves in place of `opts` and hands the command one
`Common`, so no command lists them, or copies them into `settings_from`, again. Batch mode's
options are bundled the same way (`*, batch: Batch` and `@batch_options(command)`).
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


def format_option(command: str) -> Any:
    """Batch mode's --format, naming the formats `command` writes (cli.output's table)."""
    from newsdesk.cli.output import formats_hint

    return typer.Option(
        "--format",
        help=f"Batch mode (-o DIR/): each article's output format: {formats_hint(command)}.",
    )


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
    unknown = set(names) - set(_OPTIONS)
    if unknown:
        raise TypeError(f"unknown shared options: {sorted(unknown)}")
    chosen = [f.name for f in fields(Common) if not names or f.name in names]
    return _bundle(
        "opts",
        lambda values: Common(**values),
        [(n, *_OPTIONS[n], getattr(_DEFAULTS, n)) for n in chosen],
    )


@dataclass(frozen=True)
class Batch:
    """Batch mode's options (brief and summarize with -o DIR/)."""

    max_concurrency: int = 4
    format: str = "md"
    force: bool = False


def batch_options(command: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give `command` batch mode's options as one `batch: Batch`."""
    default = Batch()
    return _bundle(
        "batch",
        lambda values: Batch(**values),
        [
            ("max_concurrency", "max_concurrency", MaxConcurrencyOpt, default.max_concurrency),
            ("format", "batch_format", Annotated[str, format_option(command)], default.format),
            ("force", "force", ForceOpt, default.force),
        ],
    )


def _bundle(
    param: str, make: Callable[[dict[str, Any]], Any], options: list[tuple[str, str, Any, Any]]
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Show Typer `options` (field, parameter name, annotation, default) where the command's
    keyword-only `param` stands, and call the command with `param=make({field: value})`."""

    def decorate(fn: Callable[..., None]) -> Callable[..., None]:
        sig = inspect.signature(fn, eval_str=True)
        if sig.parameters.get(param, None) is None or (
            sig.parameters[param].kind is not inspect.Parameter.KEYWORD_ONLY
        ):
            raise TypeError(f"{fn.__name__}: declare `*, {param}: ...` for the bundled options")
        params: list[inspect.Parameter] = []
        for p in sig.parameters.values():
            if p.name != param:
                params.append(p)
                continue
            params += [
                inspect.Parameter(
                    name, inspect.Parameter.KEYWORD_ONLY, default=dflt, annotation=ann
                )
                for _, name, ann, dflt in options
            ]

        @functools.wraps(fn)
        def command(*args: Any, **kwargs: Any) -> None:
            bundle = make({field: kwargs.pop(name) for field, name, _, _ in options})
            fn(*args, **kwargs, **{param: bundle})

        cast(Any, command).__signature__ = sig.replace(parameters=params)  # what Typer reads
        command.__annotations__ = {p.name: p.annotation for p in params}
        return command

    return decorate
