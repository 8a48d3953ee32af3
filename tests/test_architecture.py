"""Which part of ``proctor`` may import which: no package cycles, wings below the root.

The graph is read from the source (:mod:`support.import_graph`): every import counts, also
imports inside functions and under ``if TYPE_CHECKING:``. A type-only import still ties two
packages together (mypy and readers follow it), and a wing that annotated with ``Settings``
under ``TYPE_CHECKING`` would still depend on the composition root: it would only hide it.

A new module or subpackage of ``proctor`` is covered at once: it is part of the cycle and
composition-root checks, and the table check fails until it has a row in :data:`ALLOWED`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.import_graph import ImportGraph, build_graph, find_cycles

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "proctor"
SUB_UNITS = ("db.migrations",)  # Alembic scripts, loaded by path and never imported

ANY = frozenset({"*"})  # may import every unit (cycles are still refused)

# The composition root builds the settings and wires the wings together; nothing else may
# import it, so wing code never depends on the whole server (see docs/architecture.md).
COMPOSITION_ROOT = frozenset({"__main__", "api", "app", "cli", "config", "services"})

# The allowed-dependency table, cited by docs/architecture.md. A unit may import the units
# in its row (and itself); a unit with no row fails the test until it gets one.
ALLOWED: dict[str, frozenset[str]] = {
    # composition root
    "__main__": frozenset({"cli"}),
    "cli": ANY,
    "app": ANY,
    "api": ANY,
    "services": ANY,
    "config": frozenset({"core_settings", "auth", "cluster", "complaints", "media",
                        "oversight", "recording", "supervision", "vision"}),
    "db.migrations": ANY,  # the schema's history: every wing's tables and seed data
    # wings
    # every wing's tables
    "schema": frozenset({"db", "events", "oversight", "recording", "supervision"}),
    "supervision": frozenset({"core_settings", "actor", "audit", "auth", "db", "directory",
                              "errors", "organisations", "private_file", "recording"}),
    # 三级 oversight: reads batches, deadlines, regions and complaint rows; writes only its own
    "oversight": frozenset({"auth", "db", "errors", "organisations", "recording",
                            "supervision"}),
    "complaints": frozenset({"core_settings", "actor", "audit", "auth", "db", "errors",
                             "recording", "supervision"}),
    "events": frozenset({"core_settings", "actor", "audit", "auth", "db", "errors", "media",
                         "recording", "vision"}),
    "metrics": frozenset({"media", "vision"}),
    "scenes": frozenset({"audit", "db", "errors", "vision"}),
    "vision": frozenset({"core_settings", "errors", "media"}),  # computes; others persist
    "directory": frozenset({"actor", "audit", "auth", "db", "errors"}),
    "organisations": frozenset({"actor", "audit", "db", "directory", "errors"}),
    "auth": frozenset({"actor", "audit", "db", "errors", "media"}),
    "recording": frozenset({"core_settings", "actor", "audit", "auth", "db", "errors",
                            "private_file"}),
    "media": frozenset({"errors", "rtc"}),
    # several nodes: camera leases and alerts on NATS; wired to media and events by the app;
    # analysis workers on a NATS queue group (vision's detector and remote channel)
    "cluster": frozenset({"db", "errors", "events", "vision"}),
    "rtc": frozenset(),
    "audit": frozenset({"actor", "audit_chain", "db"}),
    "db": frozenset({"private_file"}),  # the SQLite file is created owner-only
    # leaves
    "actor": frozenset(),
    "audit_chain": frozenset(),
    "core_settings": frozenset(),
    "errors": frozenset(),
    "logging_setup": frozenset(),
    "private_file": frozenset(),
}

# Outside packages the server must never import: dev tools, the edge agent, the tests.
NEVER_IMPORTED = frozenset({"proctor_dev", "edge_agent", "tests", "support"})


def _allows(source: str, target: str) -> bool:
    allowed = ALLOWED.get(source, ANY)  # a unit without a row fails test_every_unit_has_a_row
    return allowed == ANY or target in allowed


@pytest.fixture(scope="module")
def graph() -> ImportGraph:
    return build_graph(PACKAGE_DIR, SUB_UNITS)


def test_the_graph_is_read(graph: ImportGraph) -> None:
    edges = graph.edges()
    assert {"app", "config", "vision", "db.migrations"} <= graph.units
    assert "config" in edges["app"]
    assert {"auth", "media", "recording", "vision"} <= edges["config"]


def test_no_cycle_between_packages(graph: ImportGraph) -> None:
    cycles = find_cycles(graph.edges())
    described = [" -> ".join(f"{a} ({graph.where(a, b)})" for a, b in zip(c, c[1:], strict=False))
                 + f" -> {c[-1]}" for c in cycles]
    assert not cycles, "import cycles between packages:\n" + "\n".join(described)


def test_every_unit_has_a_row(graph: ImportGraph) -> None:
    missing = sorted(graph.units - ALLOWED.keys())
    assert not missing, f"add to ALLOWED in tests/test_architecture.py: {missing}"


def test_imports_follow_the_table(graph: ImportGraph) -> None:
    wrong = sorted(f"{i.source} -> {i.target} ({i.where})" for i in graph.imports
                   if i.target in graph.units and not _allows(i.source, i.target))
    assert not wrong, "imports the table does not allow:\n" + "\n".join(wrong)


def test_only_the_composition_root_imports_it(graph: ImportGraph) -> None:
    wrong = sorted(f"{i.source} -> {i.target} ({i.where})" for i in graph.imports
                   if i.target in COMPOSITION_ROOT and i.source not in COMPOSITION_ROOT
                   and i.source not in SUB_UNITS)
    assert not wrong, "wings must not import the composition root:\n" + "\n".join(wrong)


def test_the_server_never_imports_dev_tools_or_the_agent(graph: ImportGraph) -> None:
    wrong = sorted(f"{i.source} -> {i.target} ({i.where})" for i in graph.imports
                   if i.target in NEVER_IMPORTED)
    assert not wrong, "\n".join(wrong)


def test_the_checks_see_every_import_form(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "wing").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "root.py").write_text("from pkg import wing\n")
    (package / "wing" / "__init__.py").write_text("from . import inner\n")
    (package / "wing" / "inner.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..leaf import X\n"
        "def f() -> None:\n    import pkg.root\n")
    (package / "leaf.py").write_text("import pkg\nfrom pkg import __doc__\n")
    built = build_graph(package)
    assert built.edges() == {"root": {"wing"}, "wing": {"leaf", "root"}, "leaf": set()}
    assert built.where("wing", "root") == "pkg/wing/inner.py:5"
    assert find_cycles(built.edges()) == [["root", "wing", "root"]]
