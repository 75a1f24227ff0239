"""`newsdesk models`: the embedded models, where they come from, and whether they are assembled."""

from __future__ import annotations

import re
from typing import Any

import typer

from newsdesk.cli.options import Common, common_options
from newsdesk.cli.runtime import guarded


def packages_label(pins: tuple[str, ...]) -> str:
    """`a-part1==1, ..., a-part22==1` -> `a-part1..22==1 (22 packages)`."""
    if len(pins) == 1:
        return pins[0]
    first, last = (re.fullmatch(r"(.*?)(\d+)(==.*)", pin) for pin in (pins[0], pins[-1]))
    if first and last and first[1] == last[1] and first[3] == last[3]:
        return f"{first[1]}{first[2]}..{last[2]}{first[3]} ({len(pins)} packages)"
    return ", ".join(pins)


def model_rows() -> dict[str, Any]:
    """What `newsdesk models --json` prints (stable keys; sizes in bytes)."""
    from newsdesk.cli.runtime import settings_from
    from newsdesk.errors import ConfigError
    from newsdesk.llm.models import DEFAULT_MODEL, MODELS, is_assembled

    try:
        settings = settings_from()
        spec = settings.embedded_spec
        selected = spec.name if spec is not None else None
    except ConfigError:  # an unknown NEWSDESK_MODEL: this listing is where to look it up
        settings, selected = settings_from(Common(model=DEFAULT_MODEL)), None
    folder = settings.embedded_model_dir
    return {
        "model_dir": str(folder),
        "default": DEFAULT_MODEL,
        "selected": selected,
        "models": [
            {
                "name": m.name,
                "default": m.default,
                "selected": m.name == selected,
                "description": m.description,
                "size_bytes": m.size,
                "licence": m.licence,
                "packages": list(m.packages),
                "sha256": m.sha256,
                "instruct": m.instruct,
                "n_ctx": m.n_ctx,
                "article_budget": m.article_budget,
                "file": str(folder / m.filename),
                "assembled": is_assembled(m, folder),
                "speed": {
                    "load_s": m.speed.load_s,
                    "prompt_tok_s": m.speed.prompt_tok_s,
                    "generation_tok_s": m.speed.generation_tok_s,
                    "conditions": m.speed.conditions,
                },
            }
            for m in MODELS.values()
        ],
    }


def render_table(data: dict[str, Any]) -> str:
    """Plain aligned columns (no wrapping surprises in a narrow terminal)."""
    head = ["model", "default", "size", "licence", "assembled", "load", "prompt", "generation"]
    rows = [head]
    for m in data["models"]:
        s = m["speed"]
        rows.append(
            [
                m["name"],
                "yes" if m["default"] else "",
                f"{m['size_bytes'] / 1e6:,.0f} MB",
                m["licence"],
                "yes" if m["assembled"] else "no",
                f"{s['load_s']:g} s",
                f"{s['prompt_tok_s']:g} tok/s",
                f"{s['generation_tok_s']:g} tok/s",
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    width = max(len(m["name"]) for m in data["models"])
    lines += ["", "from PyPI:"]
    lines += [
        f"  {m['name'].ljust(width)}  {packages_label(tuple(m['packages']))}"
        for m in data["models"]
    ]
    lines += ["speed measured here:"]
    lines += [f"  {m['name'].ljust(width)}  {m['speed']['conditions']}" for m in data["models"]]
    used = data["selected"] or "none (a remote endpoint or --gguf is configured)"
    lines += ["", f"in use: {used}  (--model / NEWSDESK_MODEL chooses)"]
    lines += [f"model dir: {data['model_dir']}"]
    return "\n".join(lines)


@common_options("json")
def models(*, opts: Common) -> None:
    """List the embedded models: size, licence, source packages, assembled yet, speed here.

    Choose one with --model / NEWSDESK_MODEL when no endpoint is configured."""

    def run() -> None:
        from newsdesk.cli.runtime import print_json

        data = model_rows()
        if opts.json:
            print_json(data)
            return
        typer.echo(render_table(data))

    guarded(run)
