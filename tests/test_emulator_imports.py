"""The emulator's modules import each other without a circle (TYPE_CHECKING imports count)."""

from __future__ import annotations

import ast
from pathlib import Path

import commvault_emulator

PACKAGE = "commvault_emulator"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE):
            found.add(node.module.removeprefix(PACKAGE + ".").split(".")[0])
            if node.module == PACKAGE:
                found.update(alias.name for alias in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    root = Path(commvault_emulator.__file__).parent
    modules = {path.stem: path for path in root.glob("*.py")}
    return {name: _imports(path) & modules.keys() for name, path in modules.items()}


def _cycle_from(graph: dict[str, set[str]], start: str) -> list[str] | None:
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for nxt in graph[node]:
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


def test_the_emulator_has_no_import_circle() -> None:
    graph = _graph()
    assert "endpoints" in graph["api"]
    cycles = [c for name in sorted(graph) if (c := _cycle_from(graph, name))]
    assert cycles == []
