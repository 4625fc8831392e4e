"""The import graph of agentcore_ext, read from the source with `ast` (nothing is imported or run).

    python scripts/import_graph.py [PACKAGE_DIR]

prints the number of modules, the layers (the longest chain of imports), any cycle and the largest module.
tests/test_import_contract.py checks the layout's rules with the same reader.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "agentcore_ext"


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def read_package(root: Path = PACKAGE) -> dict[str, str]:
    return {_module_name(p, root): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.py"))}


def imports(source: str) -> list[tuple[str, tuple[str, ...], int]]:
    """(module, names, line) for every import anywhere in the file: top level, functions, TYPE_CHECKING blocks."""
    out: list[tuple[str, tuple[str, ...], int]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(alias.name, (), node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.module, tuple(a.name for a in node.names), node.lineno))
    return out


def targets(module: str, names: tuple[str, ...], modules: Mapping[str, str]) -> set[str]:
    """The modules an import depends on: `from pkg import sub` names the submodule pkg.sub."""
    return {f"{module}.{n}" if f"{module}.{n}" in modules else module for n in names} or {module}


def graph(modules: Mapping[str, str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {name: set() for name in modules}
    for name, source in modules.items():
        for module, names, _ in imports(source):
            out[name] |= {d for d in targets(module, names, modules) if d in modules and d != name}
    return out


def find_cycle(edges: Mapping[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (found := visit(start)):
            return found
    return None


def layers(edges: Mapping[str, set[str]]) -> int:
    """The longest import chain, counted in modules; edges that close a cycle are left out."""
    on_path: set[str] = set()

    @cache
    def depth(node: str) -> int:
        on_path.add(node)
        below = [depth(n) for n in edges.get(node, ()) if n not in on_path]
        on_path.discard(node)
        return 1 + max(below, default=0)

    return max((depth(n) for n in edges), default=0)


def main(argv: list[str]) -> int:
    root = Path(argv[0]).resolve() if argv else PACKAGE
    modules = read_package(root)
    edges = graph(modules)
    sizes = {name: src.count("\n") for name, src in modules.items()}
    largest = max(sizes, key=lambda n: sizes[n])
    cycle = find_cycle(edges)
    print(f"modules: {len(modules)}")
    print(f"layers: {layers(edges)}")
    print(f"cycles: {' -> '.join(cycle) if cycle else 'none'}")
    print(f"largest module: {largest} ({sizes[largest]} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
