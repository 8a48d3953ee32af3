"""PostgreSQL is a supported database: migrations and the directory work on a real server."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select
from support.postgres import postgres_cluster

from proctor import directory
from proctor.auth.scope import load_scope
from proctor.db.migrate import downgrade_database, upgrade_database
from proctor.db.models import AuditEntry, Role
from proctor.db.session import create_db_engine, create_session_factory, session_scope
from proctor.schema import metadata
from proctor_dev.provision import provision_site


def test_migrations_and_directory_on_postgresql() -> None:
    with postgres_cluster() as url:
        upgrade_database(url)
        engine = create_db_engine(url)
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), metadata) == []
        with session_scope(create_session_factory(engine)) as db:
            site = provision_site(db, "test", "Site", "Room", ["a", "b"])
            user = directory.create_user(db, "test", "sup", "long password", Role.SUPERVISOR,
                                         site_ids=[site.site_id])
            assert [c.name for c in db.scalars(load_scope(db, user).cameras_query())] == ["a", "b"]
            stamps = db.scalars(select(AuditEntry.at)).all()
            assert stamps and all(s.tzinfo is not None for s in stamps)
        engine.dispose()
        downgrade_database(url, "base")
        engine = create_db_engine(url)
        assert inspect(engine).get_table_names() == ["alembic_version"]
        engine.dispose()
