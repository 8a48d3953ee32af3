"""The import graph of a package's units, read from its source with :mod:`ast`.

A *unit* is a top-level module or a subpackage of the package (``proctor.vision.rules``
belongs to ``vision``), or a directory named in ``sub_units`` (e.g. ``db.migrations``,
scripts that Alembic loads by path). Every import statement counts, wherever it is: at
module level, inside functions and under ``if TYPE_CHECKING:``.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Import:
    """One import from ``source`` (a unit) of ``target`` (a unit or another top-level name)."""

    source: str
    target: str
    where: str  # path:line of the import statement


@dataclass(frozen=True)
class ImportGraph:
    """The units of one package and the imports that cross between them or leave it."""

    units: frozenset[str]
    imports: tuple[Import, ...]

    def edges(self) -> dict[str, set[str]]:
        """Unit -> the other units of the package it imports."""
        graph: dict[str, set[str]] = {unit: set() for unit in self.units}
        for item in self.imports:
            if item.target in self.units:
                graph[item.source].add(item.target)
        return graph

    def where(self, source: str, target: str) -> str:
        """The first import statement (path:line) by which ``source`` imports ``target``."""
        return next(i.where for i in self.imports if (i.source, i.target) == (source, target))


def build_graph(package_dir: Path, sub_units: Iterable[str] = ()) -> ImportGraph:
    """Parse every module under ``package_dir`` and collect the imports between its units."""
    package = package_dir.name
    units = {_unit_of(_module_name(path, package_dir).split(".")[1:], sub_units)
             for path in package_dir.rglob("*.py")} - {""}
    imports: list[Import] = []
    for path in sorted(package_dir.rglob("*.py")):
        module = _module_name(path, package_dir)
        source = _unit_of(module.split(".")[1:], sub_units)
        for name, line in _imported_names(ast.parse(path.read_text()), module, path):
            target = _target(name, package, units, sub_units)
            if target is not None and target != source:
                where = f"{path.relative_to(package_dir.parent)}:{line}"
                imports.append(Import(source, target, where))
    return ImportGraph(frozenset(units), tuple(imports))


def find_cycles(edges: Mapping[str, set[str]]) -> list[list[str]]:
    """Every distinct shortest cycle through some node, each as ``[a, b, ..., a]``."""
    cycles: dict[frozenset[str], list[str]] = {}
    for start in sorted(edges):
        path = _shortest_path(edges, start)
        if path is not None and frozenset(path) not in cycles:
            cycles[frozenset(path)] = path
    return list(cycles.values())


def _shortest_path(edges: Mapping[str, set[str]], start: str) -> list[str] | None:
    """The shortest path from ``start`` back to itself, or ``None``."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for successor in sorted(edges.get(node, ())):
            if successor == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if successor not in came_from:
                came_from[successor] = node
                queue.append(successor)
    return None


def _module_name(path: Path, package_dir: Path) -> str:
    parts = path.relative_to(package_dir.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _unit_of(parts: list[str], sub_units: Iterable[str]) -> str:
    """The unit of a module given by its dotted parts below the package ('' for the root)."""
    dotted = ".".join(parts)
    for sub_unit in sub_units:
        if dotted == sub_unit or dotted.startswith(sub_unit + "."):
            return sub_unit
    return parts[0] if parts else ""


def _target(name: str, package: str, units: set[str], sub_units: Iterable[str]) -> str | None:
    """The unit (or outside top-level name) an imported name belongs to; ``None`` for names
    of the package root itself (``from proctor import __version__``)."""
    top, *rest = name.split(".")
    if top != package:
        return top
    unit = _unit_of(rest, sub_units)
    return unit if unit in units else None


def _imported_names(tree: ast.AST, module: str, path: Path) -> Iterator[tuple[str, int]]:
    """Absolute names of what each import statement imports, with its line."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = _absolute_base(node, module, is_package=path.name == "__init__.py")
            yield base, node.lineno
            for alias in node.names:
                yield f"{base}.{alias.name}", node.lineno


def _absolute_base(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    package_parts = parts if is_package else parts[:-1]
    base = package_parts[: len(package_parts) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)
