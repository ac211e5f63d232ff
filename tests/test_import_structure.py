"""The package's import graph: no module imports another module's underscore names, and no import circle, counting
imports inside functions too (a circle hidden in a function is still a circle)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("wisebench", "wise", "baselines", "leaderboard")


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def import_graph() -> tuple[dict[str, set[str]], list[tuple[str, str, str]]]:
    """module -> the project modules it imports; and every (importer, module, name) of an underscore name."""
    modules = project_modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    private = []
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    if f"{node.module}.{alias.name}" in modules:
                        graph[name].add(f"{node.module}.{alias.name}")
                    elif node.module in modules:
                        graph[name].add(node.module)
                        if alias.name.startswith("_") and not alias.name.startswith("__") and node.module != name:
                            private.append((name, node.module, alias.name))
            elif isinstance(node, ast.Import):
                graph[name].update(alias.name for alias in node.names if alias.name in modules)
    return graph, private


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in graph[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in graph:
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_another_modules_private_names():
    _, private = import_graph()
    assert private == []


def test_no_import_circles():
    graph, _ = import_graph()
    assert len(graph) > 100  # the walk found the package
    assert circles(graph) == []


def test_the_circle_finder_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


# Modules that run something when imported (entry points, the Streamlit script): not importable as libraries.
SCRIPTS = {"wisebench.__main__", "wise.train.__main__", "leaderboard.app"}

FRESH_IMPORTS = """
import importlib, sys, traceback
failed = []
for name in sys.argv[1:]:
    for loaded in [module for module in sys.modules if module.split(".")[0] in {packages!r}]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception:
        failed.append(name + ": " + traceback.format_exc().strip().splitlines()[-1])
print("\\n".join(failed))
"""


def test_every_module_imports_first_in_a_fresh_interpreter_state():
    """A circle through package __init__ files only shows when one of its modules is imported first: import each
    module with every project module unloaded (third-party modules stay loaded, so this is quick)."""
    import subprocess
    import sys

    names = sorted(name for name in project_modules() if name not in SCRIPTS)
    script = FRESH_IMPORTS.format(packages=set(PACKAGES))
    finished = subprocess.run([sys.executable, "-c", script, *names], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert finished.stdout.strip() == ""
