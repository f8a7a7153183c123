"""Migrations upgrade and downgrade on both databases, and the head matches the tables in code."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, inspect, select, text
from sqlalchemy.schema import CreateIndex
from tests.integration.conftest import BACKENDS, fresh_database

from taut.store import Database, migrate, tables


@pytest.fixture(params=BACKENDS)
def fresh(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Database:
    return fresh_database(request.param, tmp_path_factory.mktemp("mig"), request)


def test_upgrade_creates_every_table_and_marks_the_database_as_taut(fresh: Database) -> None:
    names = set(inspect(fresh.engine).get_table_names())
    assert set(tables.metadata.tables) <= names
    assert migrate.current_revision(fresh.engine) == migrate.head_revision()
    with fresh.transaction() as conn:
        assert (
            conn.execute(select(tables.taut_meta.c.value).where(tables.taut_meta.c.key == "app")).scalar_one()
            == "taut"
        )


# SQLite's indexes on expressions are not reflected, so not compared: their SQL is, below
@pytest.mark.filterwarnings("ignore:.*expression-based index:UserWarning")
@pytest.mark.filterwarnings("ignore:.*expression-based index:sqlalchemy.exc.SAWarning")
def test_head_matches_the_tables_in_code(fresh: Database) -> None:
    with fresh.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), tables.metadata
        )
        if fresh.dialect == "sqlite":
            for index in (i for t in tables.metadata.tables.values() for i in t.indexes):
                if any(not isinstance(e, Column) for e in index.expressions):
                    made = conn.scalar(
                        text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": index.name}
                    )
                    assert made == str(CreateIndex(index).compile(conn)).strip(), index.name
    assert diff == []


def test_downgrade_to_base_and_upgrade_again(fresh: Database) -> None:
    migrate.downgrade(fresh.engine, "base")
    assert set(inspect(fresh.engine).get_table_names()) <= {"alembic_version"}
    assert migrate.current_revision(fresh.engine) is None
    migrate.upgrade(fresh.engine)
    assert migrate.current_revision(fresh.engine) == migrate.head_revision()
    fresh.dispose()
