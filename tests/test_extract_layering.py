"""The page reader's modules depend one way: no module of qualitycheck/extract imports (even
lazily or for type checking) a module that imports it back."""

from __future__ import annotations

import ast
from pathlib import Path

EXTRACT = Path(__file__).resolve().parent.parent / "qualitycheck" / "extract"


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in EXTRACT.glob("*.py"):
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                deps.add(node.module.split(".")[0])
        graph[path.stem] = deps
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> list[str] | None:
        for dep in sorted(graph.get(name, ())):
            if dep in path:
                return path[path.index(dep):] + [dep]
            if dep not in done:
                found = visit(dep, path + [dep])
                if found:
                    return found
        done.add(name)
        return None

    for name in sorted(graph):
        found = visit(name, [name])
        if found:
            return found
    return None


def test_extract_modules_have_no_import_cycle():
    assert _cycle(_graph()) is None


def test_the_page_view_and_hosts_import_no_extractor():
    graph = _graph()
    assert not graph["view"] & {"page", "links", "lists", "marks", "html"}
    assert graph["hosts"] == set()


def test_cycle_finder_sees_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]
