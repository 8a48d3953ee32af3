"""A throwaway PostgreSQL cluster for tests: :func:`proctor_dev.postgres.postgres_cluster`
(the oversight bench starts one the same way)."""

from __future__ import annotations

from proctor_dev.postgres import postgres_cluster

__all__ = ["postgres_cluster"]
