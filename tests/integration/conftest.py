"""The integration suite runs every test on SQLite and on PostgreSQL.

PostgreSQL: the server at 127.0.0.1:5432 (trust auth, database ``test``; override with
TAUT_TEST_POSTGRES_URL). Each xdist worker gets its own database ``test_taut_<worker>``; each test module
starts from an empty, freshly migrated schema. When the server is unreachable the PostgreSQL tests are
skipped locally and FAIL when CI=true.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event
from tests import migrated

from taut.clinic import Role, User
from taut.services import clinics
from taut.store import Database, make_engine

PG_URL = os.environ.get("TAUT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# Two checkouts testing at once on one server keep apart by a tag of their own (e.g. TAUT_TEST_DB_TAG=wt1).
DB_TAG = os.environ.get("TAUT_TEST_DB_TAG", "")


def pg_database_name(worker_id: str, suffix: str = "") -> str:
    """The name of a test database of this checkout and xdist worker."""
    parts = ["test_taut", DB_TAG, worker_id, suffix]
    return "_".join(p for p in parts if p).replace("-", "_")


PASSWORD = "correct horse battery"


def _pg_unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(f"PostgreSQL not reachable: {reason}")


@pytest.fixture(scope="session")
def pg_worker_url(worker_id: str) -> str:
    """A database of this xdist worker's own, created afresh from the ``test`` connection."""
    name = pg_database_name(worker_id)
    try:
        migrated.recreate(PG_URL, name)
    except Exception as e:  # the server is down or refuses us
        _pg_unavailable(str(e).splitlines()[0])
    return PG_URL.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="session")
def pg_head_template(pg_worker_url: str, worker_id: str) -> str:
    """This worker's PostgreSQL database at the head migration, migrated once, copied by ``fresh_database``."""
    name = pg_database_name(worker_id, "head")
    migrated.pg_template(PG_URL, name)
    return name


def fresh_database(backend: str, tmp: Path, request: pytest.FixtureRequest) -> Database:
    """An empty database at the head migration: on PostgreSQL this worker's database, replaced by a copy of its
    migrated template; on SQLite a new file, a copy of this process's (``tests/migrated.py``)."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp / 'taut.sqlite3'}")
        migrated.upgrade(engine)
        return Database(engine)
    url = request.getfixturevalue("pg_worker_url")
    migrated.pg_copy(PG_URL, request.getfixturevalue("pg_head_template"), url.rsplit("/", 1)[1])
    return Database(make_engine(url))


BACKENDS = [pytest.param("sqlite"), pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module", params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = fresh_database(request.param, tmp_path_factory.mktemp("db"), request)
    yield database
    database.dispose()


@dataclass
class World:
    """Two clinics. Clinic A: Alice (owner), Bob (therapist), Fran (front desk). Clinic B: Carol (owner)."""

    alice: User
    bob: User
    fran: User
    carol: User


def unique_email(name: str) -> str:
    return f"{name}.{uuid.uuid4().hex[:8]}@example.org"


@pytest.fixture(scope="module")
def world(db: Database) -> World:
    _, alice = clinics.create_clinic(
        db, name="Clinic A", owner_email=unique_email("alice"), owner_name="Alice Adler", password=PASSWORD
    )
    bob = clinics.add_user(
        db, alice, email=unique_email("bob"), name="Bob Brandt", role=Role.THERAPIST, password=PASSWORD
    )
    fran = clinics.add_user(
        db, alice, email=unique_email("fran"), name="Fran Frei", role=Role.FRONT_DESK, password=PASSWORD
    )
    _, carol = clinics.create_clinic(
        db, name="Clinic B", owner_email=unique_email("carol"), owner_name="Carol Conti", password=PASSWORD
    )
    return World(alice, bob, fran, carol)


@contextmanager
def count_queries(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)
