"""Plain aligned columns as text (`newsdesk models`: the table, then where each model comes
from)."""

from __future__ import annotations

import re
from typing import Any


def packages_label(pins: tuple[str, ...]) -> str:
    """`a-part1==1, ..., a-part22==1` -> `a-part1..22==1 (22 packages)`."""
    if len(pins) == 1:
        return pins[0]
    first, last = (re.fullmatch(r"(.*?)(\d+)(==.*)", pin) for pin in (pins[0], pins[-1]))
    if first and last and first[1] == last[1] and first[3] == last[3]:
        return f"{first[1]}{first[2]}..{last[2]}{first[3]} ({len(pins)} packages)"
    return ", ".join(pins)


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
