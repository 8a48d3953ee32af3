"""Routers stay thin: no ORM work in ``proctor/api/`` (the services of the wings do it).

Read from the source with :mod:`ast`, so a violation is reported with its module and line.

What is allowed, and why:

* ``from sqlalchemy.orm import Session``: a router receives the request's session
  (``SessionDep``) and hands it to a service; naming its type is not using the ORM. Every
  other ``sqlalchemy`` import (``select``, ``func``, ``exc``...) is ORM work.
* Model classes from ``proctor.db.models`` as types (``Camera`` in ``Annotated[Camera, ...]``,
  ``user: User``): dependencies return rows, and annotations must name them. Passing a model
  class to a call (``select(Camera)``, ``get_or_404(db, Device, 3)``) or reading one of its
  columns (``Segment.camera_id``) is building a query, so it is refused. Enums that live in
  the models module (``Role``) are values, not tables, and are not restricted.
* Session methods (``get``, ``scalars``, ``commit``...) are refused on anything that is a
  session: a name annotated ``Session``/``SessionDep`` or called ``db``/``session``. The
  methods only sessions have (``scalars``, ``execute``, ``commit``...) are refused on any
  receiver, so a session reached another way is caught too.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from proctor.db import models
from proctor.db.base import Base

API_DIR = Path(__file__).resolve().parent.parent / "proctor" / "api"
ALLOWED_SQLALCHEMY = {("sqlalchemy.orm", "Session")}
SESSION_METHODS = frozenset({"get", "scalars", "scalar", "execute", "commit", "add", "add_all",
                             "flush", "query", "delete", "merge", "refresh", "rollback"})
ONLY_ON_SESSIONS = frozenset({"scalars", "scalar", "execute", "commit", "flush", "query",
                              "add_all", "rollback"})
SESSION_NAMES = frozenset({"db", "session"})
SESSION_TYPES = frozenset({"Session", "SessionDep"})
TABLES = frozenset(name for name, value in vars(models).items()
                   if isinstance(value, type) and issubclass(value, Base) and value is not Base)


@dataclass(frozen=True)
class Violation:
    """One piece of ORM work found in a router."""

    where: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.where}:{self.line}: {self.what}"


def _import_violations(tree: ast.Module) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, f"import {alias.name}") for alias in node.names
                      if alias.name.split(".")[0] == "sqlalchemy"]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            found += [(node.lineno, f"from {node.module} import {alias.name}")
                      for alias in node.names
                      if (node.module, alias.name) not in ALLOWED_SQLALCHEMY]
    return found


def _imported_tables(tree: ast.Module) -> dict[str, str]:
    """Local name -> model class, for the tables imported from ``proctor.db.models``."""
    return {alias.asname or alias.name: alias.name for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "proctor.db.models"
            for alias in node.names if alias.name in TABLES}


def _table_violations(tree: ast.Module) -> list[tuple[int, str]]:
    tables = _imported_tables(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            found += [(arg.lineno, f"model {arg.id} passed to a call") for arg in node.args
                      if isinstance(arg, ast.Name) and arg.id in tables]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id in tables:
            found.append((node.lineno, f"column {node.value.id}.{node.attr} used"))
    return found


def _annotation_names(annotation: ast.expr | None) -> set[str]:
    if annotation is None:
        return set()
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return _annotation_names(ast.parse(annotation.value, mode="eval").body)
    return {node.id for node in ast.walk(annotation) if isinstance(node, ast.Name)}


def _session_names(tree: ast.Module) -> set[str]:
    """Names that hold a session somewhere in the module (conventional or annotated)."""
    names = set(SESSION_NAMES)
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and _annotation_names(node.annotation) & SESSION_TYPES:
            names.add(node.arg)
    return names


def _session_call_violations(tree: ast.Module) -> list[tuple[int, str]]:
    sessions = _session_names(tree)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method, receiver = node.func.attr, node.func.value
        on_session = isinstance(receiver, ast.Name) and receiver.id in sessions
        if method in ONLY_ON_SESSIONS or (on_session and method in SESSION_METHODS):
            found.append((node.lineno, f"session call .{method}()"))
    return found


def violations_in(source: str, where: str) -> list[Violation]:
    """Every piece of ORM work in one module's source, in line order."""
    tree = ast.parse(source)
    found = _import_violations(tree) + _table_violations(tree) + _session_call_violations(tree)
    return [Violation(where, line, what) for line, what in sorted(found)]


def test_no_orm_work_in_the_routers() -> None:
    modules = sorted(API_DIR.glob("*.py"))
    assert len(modules) > 10, f"no routers found in {API_DIR}"
    found = [v for path in modules
             for v in violations_in(path.read_text(), f"proctor/api/{path.name}")]
    assert not found, "ORM work in proctor/api/ (move it into the wing's service):\n" + \
        "\n".join(str(v) for v in found)


def test_the_check_sees_each_kind_of_orm_work() -> None:
    source = '''
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from proctor.db.models import Camera, Role, User

def route(db: SessionDep, store: Session, user: User, feeds: dict[int, int]) -> None:
    db.get(Camera, 3)
    rows = store.scalars(select(User).where(User.id == 1))
    user.db_thing.commit()
    store.add(user)
    feeds.get(3)
    role = Role.ADMIN
'''
    found = [(v.line, v.what) for v in violations_in(source, "example.py")]
    assert found == [
        (2, "from sqlalchemy import select"),
        (3, "from sqlalchemy.orm import selectinload"),
        (7, "model Camera passed to a call"),
        (7, "session call .get()"),
        (8, "column User.id used"),
        (8, "model User passed to a call"),
        (8, "session call .scalars()"),
        (9, "session call .commit()"),
        (10, "session call .add()"),
    ]
