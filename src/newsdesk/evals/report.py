"""Eval reports: the terminal table, --json, --junit (JUnit XML), -o report.html and -o
results.json (promptfoo's output shape).

The CLI writes them with newsdesk.atomic.write_atomic, so a reader never sees half a report.
Everything from a model or an article is escaped (HTML, XML, rich markup).
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table

from newsdesk.evals import derived, jscompat
from newsdesk.evals.runner import AssertionResult, CaseResult, Group, RunReport

if TYPE_CHECKING:
    from rich.console import Console

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _short(text: str, n: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _status_label(group: Group) -> str:
    status: str = group.status
    if len(group.runs) > 1:
        return f"{status.upper()} {group.pass_rate:.0%}"
    return status.upper()


# ---------------------------------------------------------------- terminal


def print_table(console: Console, report: RunReport, details: bool = True) -> None:
    table = Table("case", "prompt", "provider", "result", "score", "latency", "tokens")
    colours = {"pass": "green", "fail": "red", "error": "magenta"}
    for g in report.groups():
        latency = sum(r.latency_ms for r in g.runs) / len(g.runs)
        tokens = sum(r.prompt_tokens + r.completion_tokens for r in g.runs) // len(g.runs)
        cached = all(r.calls and r.cache_hits == r.calls for r in g.runs)
        table.add_row(
            escape(_short(g.description, 48)),
            escape(g.prompt),
            escape(g.provider),
            f"[{colours[g.status]}]{_status_label(g)}[/]",
            f"{g.score:.2f}",
            "cached" if cached else f"{latency:.0f} ms",
            str(tokens),
        )
    console.print(table)
    if details:
        for g in report.groups():
            if g.passed:
                continue
            console.print(
                f"[bold]{escape(g.description)}[/] · {escape(g.prompt)} · {escape(g.provider)}"
            )
            for r in g.runs:
                if r.passed:
                    continue
                tag = f"  run {r.repeat + 1}: " if len(g.runs) > 1 else "  "
                if r.error:
                    console.print(f"{tag}[magenta]error[/] {escape(r.error)}")
                    continue
                for a in r.asserts:
                    if not a.passed:
                        where = f" (line {a.line})" if a.line else ""
                        console.print(f"{tag}[red]✗ {escape(a.type)}[/]{where}: {escape(a.reason)}")
                console.print(f"{tag}[dim]output: {escape(_short(r.output, 160))}[/]")
    for note in report.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    metrics = report.summary()["metrics"]
    if metrics:
        shown = ", ".join(
            f"{k} {v['score_sum']:g}/{v['total']:g} (mean {v['score']:.2f})"
            for k, v in sorted(metrics.items())
        )
        console.print(f"metrics: {escape(shown)}")
    console.print(summary_line(report))


def summary_line(report: RunReport) -> str:
    s = report.summary()
    parts = [
        f"{s['cases']} case(s): {s['passed']} passed, {s['failed']} failed, {s['errors']} errors",
    ]
    if report.repeat > 1:
        parts.append(f"{s['runs']} runs, pass rate {s['pass_rate']:.0%}")
    parts.append(f"cache hits {s['cache_hits']}/{s['calls']} calls")
    parts.append(f"{s['prompt_tokens']} tokens in / {s['completion_tokens']} out")
    if s["cost_usd"]:
        parts.append(f"${s['cost_usd']:.4f}")
    parts.append(f"{report.duration_s:.1f} s")
    return " · ".join(parts)


# ---------------------------------------------------------------- json


def to_json(report: RunReport) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------- junit


def _xml_text(text: str) -> str:
    return _XML_BAD.sub("\ufffd", text)


def to_junit(report: RunReport) -> str:
    """JUnit XML: one <testsuite> per prompt x provider, one <testcase> per test (all repeats)."""
    root = ET.Element("testsuites", name=_xml_text(report.description or "newsdesk eval"))
    by_pair: dict[tuple[str, str], list[Group]] = {}
    for g in report.groups():
        by_pair.setdefault((g.prompt, g.provider), []).append(g)
    totals = {"tests": 0, "failures": 0, "errors": 0, "time": 0.0}
    for (prompt, provider), groups in by_pair.items():
        suite = ET.SubElement(root, "testsuite", name=_xml_text(f"{prompt} @ {provider}"))
        counts = {"tests": 0, "failures": 0, "errors": 0, "time": 0.0}
        for g in groups:
            seconds = sum(r.latency_ms for r in g.runs) / 1000
            stem = Path(g.runs[0].suite).stem
            case = ET.SubElement(
                suite,
                "testcase",
                classname=_xml_text(f"{stem}.{prompt}.{provider}"),
                name=_xml_text(g.description),
                time=f"{seconds:.3f}",
            )
            counts["tests"] += 1
            counts["time"] += seconds
            if not g.passed:
                lines = []
                for r in g.runs:
                    tag = f"run {r.repeat + 1}: " if len(g.runs) > 1 else ""
                    if r.error:
                        lines.append(f"{tag}error: {r.error}")
                    lines += [
                        f"{tag}{a.type} (line {a.line}): {a.reason}"
                        for a in r.asserts
                        if not a.passed
                    ]
                first = lines[0] if lines else "failed"
                kind = "error" if g.status == "error" else "failure"
                counts["errors" if kind == "error" else "failures"] += 1
                el = ET.SubElement(
                    case,
                    kind,
                    message=_xml_text(_short(first, 300)),
                    type="AssertionError" if kind == "failure" else "EvalError",
                )
                el.text = _xml_text("\n".join(lines))
            out = ET.SubElement(case, "system-out")
            out.text = _xml_text("\n---\n".join(r.output for r in g.runs))
        for k, v in counts.items():
            suite.set(k, f"{v:.3f}" if k == "time" else str(v))
            totals[k] += v
    for k, v in totals.items():
        root.set(k, f"{v:.3f}" if k == "time" else str(v))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# ---------------------------------------------------------------- html

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem;color:#1d1d1f}
h1{font-size:1.3rem;margin:0 0 .3rem}
.meta{color:#555;margin-bottom:1rem}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #ddd;padding:.5rem;vertical-align:top;text-align:left}
th{background:#f5f5f7}
.pass{color:#0a7a2f;font-weight:600}.fail{color:#b3261e;font-weight:600}
.error{color:#8e24aa;font-weight:600}
tr.failing>th{border-left:4px solid #b3261e}
pre{white-space:pre-wrap;word-break:break-word;margin:.3rem 0;background:#fafafa;padding:.4rem}
ul{margin:.2rem 0;padding-left:1.1rem}li.ok{color:#0a7a2f}li.bad{color:#b3261e}
.note{background:#fff8e1;padding:.4rem .6rem;margin:.3rem 0}
.small{color:#666;font-size:12px}
"""


def to_html(report: RunReport) -> str:
    e = html.escape
    groups = report.groups()
    columns: list[tuple[str, str]] = []
    for g in groups:
        if (g.prompt, g.provider) not in columns:
            columns.append((g.prompt, g.provider))
    rows: dict[str, dict[tuple[str, str], Group]] = {}
    for g in groups:
        rows.setdefault(g.case_id, {})[(g.prompt, g.provider)] = g
    # failures first, then the suite's order
    order = sorted(
        rows.items(),
        key=lambda kv: (all(g.passed for g in kv[1].values()), list(rows).index(kv[0])),
    )
    s = report.summary()
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(report.description or 'newsdesk eval')}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{e(report.description or 'newsdesk eval')}</h1>",
        f'<div class="meta">{e(summary_line(report))}<br>'
        f"suites: {e(', '.join(report.suites))} · started {e(report.started)}</div>",
    ]
    for note in report.notes:
        out.append(f'<div class="note">{e(note)}</div>')
    out.append("<table><thead><tr><th>case</th>")
    for prompt, provider in columns:
        out.append(f"<th>{e(prompt)}<br><span class='small'>{e(provider)}</span></th>")
    out.append("</tr></thead><tbody>")
    for _case_id, cells in order:
        failing = not all(g.passed for g in cells.values())
        first = next(iter(cells.values()))
        variables = first.runs[0].vars
        var_text = "<br>".join(
            f"<span class='small'>{e(k)}: {e(_short(str(v), 120))}</span>"
            for k, v in variables.items()
        )
        out.append(
            f"<tr class='{'failing' if failing else 'passing'}'>"
            f"<th>{e(first.description)}<br>{var_text}</th>"
        )
        for col in columns:
            cell = cells.get(col)
            if cell is None:
                out.append("<td></td>")
                continue
            g = cell
            out.append(
                f"<td><span class='{g.status}'>{e(_status_label(g))}</span> "
                f"<span class='small'>score {g.score:.2f}</span>"
            )
            for r in g.runs:
                head = f"run {r.repeat + 1} · " if len(g.runs) > 1 else ""
                out.append(
                    f"<div class='small'>{e(head)}{r.latency_ms:.0f} ms · "
                    f"{r.prompt_tokens}+{r.completion_tokens} tokens"
                    f"{' · cached' if r.calls and r.cache_hits == r.calls else ''}</div>"
                )
                if r.error:
                    out.append(f"<div class='error'>error: {e(r.error)}</div>")
                out.append(f"<pre>{e(r.output)}</pre><ul>")
                for a in r.asserts:
                    mark = "✓" if a.passed else "✗"
                    info = " <span class='small'>(weight 0: informational)</span>"
                    out.append(
                        f"<li class='{'ok' if a.passed else 'bad'}'>{mark} {e(a.type)}: "
                        f"{e(a.reason)}{info if a.weight == 0 else ''}</li>"
                    )
                out.append("</ul>")
            out.append("</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    out.append(f"<p class='small'>{s['runs']} runs · newsdesk eval report v1</p></body></html>")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- promptfoo's results.json


def _pf_component(a: AssertionResult) -> list[dict[str, object]]:
    """One assertion as promptfoo writes it; an assert-set is followed by its children (promptfoo
    flattens them into the test's componentResults)."""
    item: dict[str, object] = {
        "pass": a.passed,
        "score": a.score,
        "reason": a.reason,
        "assertion": a.assertion or {"type": a.type},
    }
    if a.named_scores:
        item["namedScores"] = a.named_scores
    if not a.children:
        return [item]
    children = [c for child in a.children for c in _pf_component(child)]
    item["componentResults"] = children
    return [item, *children]


def _comparison_scores(r: CaseResult) -> dict[str, float]:
    return {k: v for a in r.asserts for k, v in a.named_scores.items()}


def _pf_provider_id(ident: str) -> str:
    """promptfoo names an openai chat provider `openai:MODEL` (`openai:chat:` dropped)."""
    return "openai:" + ident[len("openai:chat:") :] if ident.startswith("openai:chat:") else ident


def _pf_prompt_raw(text: str | None) -> str | None:
    """promptfoo's -o holds a prompt that is a JSON object or list (a chat, rendered as indented
    JSON) as compact JSON."""
    if text is None or not text.lstrip().startswith(("[", "{")):
        return text
    try:
        return jscompat.js_stringify(jscompat.js_json_parse(text))
    except ValueError:
        return text


def _prompt_columns(report: RunReport) -> dict[tuple[str, str], int]:
    """promptfoo's promptIdx: one column per provider and prompt it runs, provider-major, in the
    suite's order (by label: a split .txt's prompts are distinct columns)."""
    prompt_order: dict[str, int] = {}
    provider_order: dict[str, int] = {}
    for r in report.results:
        prompt_order.setdefault(r.prompt, len(prompt_order))
        provider_order.setdefault(r.provider, len(provider_order))
    pairs = sorted(
        {(r.prompt, r.provider) for r in report.results},
        key=lambda pair: (provider_order[pair[1]], prompt_order[pair[0]]),
    )
    return {pair: i for i, pair in enumerate(pairs)}


def _prompt_named_scores(report: RunReport, column: tuple[str, str]) -> dict[str, Any]:
    """promptfoo's prompts[].metrics.namedScores: each named score summed over the column's
    cases (weighted), with the derived metrics the run computed."""
    if column in report.prompt_scores:
        return report.prompt_scores[column]
    return derived.sums(
        [
            derived.row_contributions(r.named_scores, r.named_weights)
            for r in report.results
            if (r.prompt, r.provider) == column
        ]
    )


def to_promptfoo_json(report: RunReport) -> str:
    """`-o results.json` in promptfoo's output shape (version 3): `results.results[]` with
    `success`, `score`, `namedScores`, `gradingResult.componentResults`, `response.output`."""
    prompts = _prompt_columns(report)
    providers: dict[str, int] = {}
    rows: list[dict[str, object]] = []
    tests: dict[tuple[str, int], int] = {}
    for r in report.results:
        p_idx = prompts[(r.prompt, r.provider)]
        providers.setdefault(r.provider, len(providers))
        t_idx = tests.setdefault((r.suite, r.test_index), len(tests))
        components = [c for a in r.asserts for c in _pf_component(a)]
        row: dict[str, object] = {
            "promptIdx": p_idx,
            "testIdx": t_idx,
            "prompt": {"raw": _pf_prompt_raw(r.prompt_text), "label": r.prompt},
            "provider": {"id": _pf_provider_id(r.provider_id or r.provider), "label": r.provider},
            "vars": r.vars,
            "response": None
            if r.error
            else {
                "output": r.raw_output if r.raw_output is not None else r.output,
                "tokenUsage": {
                    "prompt": r.prompt_tokens,
                    "completion": r.completion_tokens,
                    "total": r.prompt_tokens + r.completion_tokens,
                    "numRequests": r.calls,
                },
                "cached": bool(r.calls) and r.cache_hits == r.calls,
            },
            "success": r.passed and not r.error,
            "score": r.score,
            "namedScores": r.named_scores,
            "latencyMs": round(r.latency_ms),
            "cost": r.cost_usd or 0,
            "testCase": {"description": r.description, "vars": r.vars},
            "gradingResult": None
            if r.error
            else {
                "pass": r.passed,
                "score": r.score,
                "reason": r.reason,
                # max-score's own scores join the grading result's (not the case's)
                "namedScores": {**r.named_scores, **_comparison_scores(r)},
                "componentResults": components,
            },
            "failureReason": 2 if r.error else (0 if r.passed else 1),
        }
        if r.error:
            row["error"] = r.error
        rows.append(row)
    summary = report.summary()
    data = {
        "evalId": None,
        "results": {
            "version": 3,
            "timestamp": report.started,
            "prompts": [
                {
                    "raw": label,
                    "label": label,
                    "provider": provider,
                    "metrics": {"namedScores": _prompt_named_scores(report, (label, provider))},
                }
                for (label, provider) in prompts
            ],
            "results": rows,
            "stats": {
                "successes": sum(1 for r in report.results if r.passed and not r.error),
                "failures": sum(1 for r in report.results if not r.passed and not r.error),
                "errors": sum(1 for r in report.results if r.error),
                "tokenUsage": {
                    "prompt": summary["prompt_tokens"],
                    "completion": summary["completion_tokens"],
                    "total": summary["prompt_tokens"] + summary["completion_tokens"],
                    "numRequests": summary["calls"],
                },
                "durationMs": round(report.duration_s * 1000),
            },
        },
        "config": {"description": report.description},
        "shareableUrl": None,
        "metadata": {"tool": "newsdesk eval", "suites": report.suites},
    }
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
