"""The modules of src/segmentation import each other one way only.

An import circle works only while one of its imports is deferred into a
function, and breaks with an ImportError as soon as someone imports the two
modules in the other order. The graph is read with ``ast`` (imports inside
functions count), and every module is also imported alone in a fresh
interpreter, as a dbt Python model or the command line would.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dbt_runner import HANG_GUARD_SECONDS

SRC_DIR = Path(__file__).resolve().parents[1] / "src"
PACKAGE_DIR = SRC_DIR / "segmentation"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC_DIR).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE_DIR.rglob("*.py"))}


def _imported_names(module: str, path: Path) -> set[str]:
    """Every dotted name an import statement anywhere in the file may load."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def import_graph() -> dict[str, set[str]]:
    """{module: modules of the package it imports}. Importing a.b.c also runs
    a and a.b (their __init__), so those count as imported too."""
    graph = {}
    for module, path in MODULES.items():
        targets = set()
        for name in _imported_names(module, path):
            parts = name.split(".")
            targets.update(".".join(parts[:end]) for end in range(1, len(parts) + 1))
        graph[module] = {target for target in targets if target in MODULES} - {module}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle as [a, b, ..., a], or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        if module in path:
            return path[path.index(module):] + [module]
        if module in done:
            return None
        path.append(module)
        for target in sorted(graph[module]):
            cycle = visit(target)
            if cycle:
                return cycle
        path.pop()
        done.add(module)
        return None

    for module in sorted(graph):
        cycle = visit(module)
        if cycle:
            return cycle
    return None


def test_find_cycle_finds_a_circle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    assert "segmentation.tableau" in graph["segmentation.publish"]  # the graph sees imports
    cycle = find_cycle(graph)
    assert cycle is None, "import circle: " + " -> ".join(cycle)


@pytest.mark.parametrize("module", [m for m in MODULES if not m.endswith("__main__")])
def test_each_module_imports_alone(module):
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join([str(SRC_DIR), os.environ.get("PYTHONPATH", "")])}
    completed = subprocess.run([sys.executable, "-c", f"import {module}"], env=env,
                               capture_output=True, text=True, timeout=HANG_GUARD_SECONDS,
                               stdin=subprocess.DEVNULL)
    assert completed.returncode == 0, completed.stderr[-3000:]
