"""Options the commands share, declared once, and `Common`: the bundle a command receives.

A command writes `*, opts: Common` where the shared options belong in its --help and decorates
itself with `@common_options()` (or names the few it takes: `@common_options("model", "json")`).
The decorator shows Typer the options themselves in place of `opts` and hands the command one
`Common`, so no command lists them, or copies them into `settings_from`, again. The task
commands (`cli.taskcommand`) take the same options from `SHARED`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Annotated, Any, cast

import typer

ARTICLE_HELP = "Article file (UTF-8 text), or - for stdin."
ArticleArg = Annotated[str, typer.Argument(help=ARTICLE_HELP)]


@dataclass(frozen=True)
class Shared:
    """One shared option: the `Common` field it fills, its flags, its help, its value's type."""

    field: str
    flags: tuple[str, ...]
    help: str
    type: Any  # str | None, Path | None or bool (a flag)

    @property
    def param(self) -> str:
        """The parameter Typer sees (json: `json_out`, not to shadow the json module)."""
        return "json_out" if self.field == "json" else self.field

    @property
    def annotation(self) -> Any:
        return Annotated[self.type, typer.Option(*self.flags, help=self.help)]


SHARED: tuple[Shared, ...] = (
    Shared(
        "model",
        ("--model", "-m"),
        "Model name; with no endpoint, an embedded model: qwen2.5-coder-1.5b (default) or "
        "gemma-3-270m (see `newsdesk models`) [env: NEWSDESK_MODEL].",
        str | None,
    ),
    Shared(
        "base_url",
        ("--base-url",),
        "OpenAI-compatible endpoint, e.g. http://localhost:8000/v1 [env: OPENAI_BASE_URL].",
        str | None,
    ),
    Shared(
        "gguf",
        ("--gguf",),
        "Serve this GGUF file in-process instead of an embedded model [env: NEWSDESK_GGUF].",
        Path | None,
    ),
    Shared("json", ("--json",), "Machine-readable JSON on stdout.", bool),
    Shared("no_cache", ("--no-cache",), "Bypass the response cache.", bool),
    Shared(
        "dry_run",
        ("--dry-run",),
        "Print the filled prompts, their token counts and estimated cost; call nothing.",
        bool,
    ),
    Shared(
        "deterministic",
        ("--deterministic",),
        "Embedded model: no KV-cache reuse, so answers are reproducible (about 4x slower).",
        bool,
    ),
)


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


# Each field's option: the parameter Typer sees, and its annotation.
_OPTIONS: dict[str, tuple[str, Any]] = {o.field: (o.param, o.annotation) for o in SHARED}
_DEFAULTS = Common()


def shared_parameters() -> list[inspect.Parameter]:
    """Every shared option, as the keyword-only parameters Typer reads."""
    return [
        inspect.Parameter(
            o.param,
            inspect.Parameter.KEYWORD_ONLY,
            default=getattr(_DEFAULTS, o.field),
            annotation=o.annotation,
        )
        for o in SHARED
    ]


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
