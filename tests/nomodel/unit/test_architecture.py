"""docs/architecture.md is true: its layer table is checked against every import in
src/newsdesk (imports point down, never up; no circle), and its add-a-task recipe names what
exists. Imports under `if TYPE_CHECKING:` are types only and are not counted."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.helpers.paths import DOCS, ROOT

SRC = ROOT / "src"
DOC = (DOCS / "architecture.md").read_text()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in SRC.rglob("*.py")}


def imports(path: Path) -> set[str]:
    """The newsdesk modules `path` imports at run time (anywhere in it)."""
    tree = ast.parse(path.read_text())
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            typing_only |= {id(n) for n in ast.walk(node)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
    return {m for m in found if m in MODULES}


def graph() -> dict[str, set[str]]:
    """Module -> the modules it imports; a module importing its own package (the package's
    face, for a name it re-exports) is not an edge."""
    out = {}
    for name, path in MODULES.items():
        out[name] = {m for m in imports(path) if m != name and not name.startswith(m + ".")}
    return out


def layers() -> list[list[str]]:
    """The doc's layer table, top first: each row's module prefixes."""
    section = DOC.split("## Layers", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\d+) [^|]+\| (.+) \|$", section, re.M)
    assert [int(n) for n, _ in rows] == list(range(1, len(rows) + 1)), rows
    return [re.findall(r"`([\w.]+)`", cells) for _, cells in rows]


def layer_of(module: str, table: list[list[str]]) -> int | None:
    best: tuple[int, int] | None = None  # (prefix length, layer): the longest prefix decides
    for i, prefixes in enumerate(table):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and (best is None or len(p) > best[0]):
                best = (len(p), i)
    return None if best is None else best[1]


def test_every_module_has_a_layer() -> None:
    table = layers()
    assert len(table) >= 5
    missing = sorted(m for m in MODULES if m != "newsdesk" and layer_of(m, table) is None)
    assert missing == []


def test_imports_point_down_the_layers() -> None:
    table = layers()
    rank = {m: layer_of(m, table) for m in MODULES}
    edges = [(m, t) for m, targets in graph().items() for t in sorted(targets) if m != "newsdesk"]
    assert len(edges) > 200
    up = [
        f"{m} (layer {rank[m]}) imports {t} (layer {rank[t]})"
        for m, t in edges
        if t != "newsdesk" and (rank[t] or 0) < (rank[m] or 0)
    ]
    assert up == []


def test_the_package_face_imports_nothing_of_newsdesk_at_start() -> None:
    tree = ast.parse(MODULES["newsdesk"].read_text())
    top = [n for n in tree.body if isinstance(n, ast.ImportFrom) and n.module]
    assert [n.module for n in top if n.module.startswith("newsdesk")] == []


def test_no_import_circle() -> None:
    edges = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                circles.append(sorted(part))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    assert len(edges) > 100
    assert circles == []


def test_the_add_a_task_recipe_names_what_exists() -> None:
    from newsdesk.tasks import registry
    from newsdesk.tasks.contract import Task

    recipe = DOC.split("**A new task**", 1)[1].split("**A new assertion type**", 1)[0]
    assert "tasks/registry.BUILTIN" in recipe and "newsdesk.tasks" in recipe
    assert registry.GROUP == "newsdesk.tasks"
    assert registry.BUILTIN
    for name in registry.BUILTIN:  # each built-in task is laid out as the recipe says
        folder = SRC / "newsdesk" / "tasks" / name
        assert {"run.py", "render.py", "task.py", "__init__.py"} <= {
            p.name for p in folder.iterdir()
        }
        task = registry.get_task(name)
        assert isinstance(task, Task) and task.name == name and "json" in task.formats
        assert registry.BUILTIN[name].summary == task.summary  # what --help lists, unimported
    for field in ("params", "answer", "run", "prompts", "terminal", "formats", "exports"):
        assert f"`{field}" in DOC.split("## The task contract", 1)[1], field
