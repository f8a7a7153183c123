"""Clinic keys on real databases (issue #14, docs/scaling.md): migration 0019 converts a database full of data
and back without losing a row; a reference into another clinic is refused by the database itself; ids of the
two-column keys are unique and increasing for single rows, executemany, bulk loads and concurrent writers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import (
    BigInteger,
    Column,
    Identity,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError, StatementError
from tests.integration.conftest import BACKENDS, PASSWORD, fresh_database, unique_email

from taut.clinic.people import User
from taut.services import clinics
from taut.services.demo import seed_demo
from taut.store import Database, bulk, migrate, tables
from taut.store.ids import NextId
from taut.store.types import Id

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def fresh(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Database:
    return fresh_database(request.param, tmp_path_factory.mktemp("keys"), request)


def _before_0019() -> str:
    down = ScriptDirectory.from_config(migrate.alembic_config()).get_revision("0019").down_revision
    assert isinstance(down, str)
    return down


Snapshot = dict[str, list[dict[str, str]]]


def _snapshot(db: Database) -> Snapshot:
    """Every row of every table the database has, each as its columns' values (the columns it has: a later
    revision may add some), in a stable order."""
    found = inspect(db.engine)
    out: Snapshot = {}
    with db.engine.connect() as conn:
        for name, t in sorted(tables.metadata.tables.items()):
            if not found.has_table(name):
                continue
            have = {c["name"] for c in found.get_columns(name)}
            cols = [c for c in t.c if c.name in have]
            rows = [
                {c.name: repr(v) for c, v in zip(cols, r, strict=True)} for r in conn.execute(select(*cols))
            ]
            out[name] = sorted(rows, key=lambda r: repr(sorted(r.items())))
    return out


def _projected(snap: Snapshot, like: Snapshot) -> Snapshot:
    """``snap`` with only the tables and columns of ``like`` (a snapshot taken at an earlier revision)."""
    out: Snapshot = {}
    for name, rows in like.items():
        keep = set(rows[0]) if rows else set()
        got = [{k: v for k, v in r.items() if not keep or k in keep} for r in snap.get(name, [])]
        out[name] = sorted(got, key=lambda r: repr(sorted(r.items())))
    return out


def _primary_key(db: Database, table: str) -> list[str]:
    return list(inspect(db.engine).get_pk_constraint(table)["constrained_columns"])


def _second_clinic(db: Database) -> User:
    _, owner = clinics.create_clinic(
        db, name="Clinic B", owner_email=unique_email("bea"), owner_name="Bea Berg", password=PASSWORD
    )
    return owner


def test_0019_down_and_up_keeps_every_row_and_new_rows_get_new_ids(fresh: Database) -> None:
    seed_demo(fresh, clients=5, seed=19)
    _second_clinic(fresh)
    before = _snapshot(fresh)
    for name in ("clients", "holds", "notes", "appointments", "users", "audit_log", "practitioner_profiles"):
        assert before[name], f"the demo left {name} empty"
    assert _primary_key(fresh, "holds") == ["id", "clinic_id"]

    migrate.downgrade(fresh.engine, _before_0019())
    fresh.dispose()
    assert _primary_key(fresh, "holds") == ["id"]
    assert _primary_key(fresh, "practitioner_profiles") == ["user_id"]
    down = _snapshot(fresh)
    assert down == _projected(before, down)  # the columns of later revisions go with them

    migrate.upgrade(fresh.engine)
    fresh.dispose()
    assert _primary_key(fresh, "holds") == ["id", "clinic_id"]
    assert _primary_key(fresh, "practitioner_profiles") == ["user_id", "clinic_id"]
    assert _snapshot(fresh) == before

    owner = _second_clinic(fresh)  # a clinic, its owner and the audit row: numbered after the kept rows
    with fresh.engine.connect() as conn:
        assert owner.id == conn.execute(select(func.max(tables.users.c.id))).scalar_one()
        assert conn.execute(select(func.count()).where(tables.users.c.id == owner.id)).scalar_one() == 1


def test_every_primary_key_of_the_migrated_database_is_the_one_in_code(fresh: Database) -> None:
    """Alembic's comparison (test_records_migrations) does not look at primary keys; this does."""
    found = inspect(fresh.engine)
    for name, table in sorted(tables.metadata.tables.items()):
        in_code = [c.name for c in table.primary_key.columns]
        assert found.get_pk_constraint(name)["constrained_columns"] == in_code, name


def _two_clinics(db: Database) -> tuple[User, User]:
    _, a = clinics.create_clinic(
        db, name="Clinic A", owner_email=unique_email("ada"), owner_name="Ada Alt", password=PASSWORD
    )
    return a, _second_clinic(db)


def _session_row(clinic_id: int, client_id: int, practitioner_id: int) -> dict[str, Any]:
    return {
        "clinic_id": clinic_id,
        "client_id": client_id,
        "occurred_at": NOW,
        "practitioner_id": practitioner_id,
        "pain_before": 5,
        "notes": "",
        "aftercare": "",
        "recorded_at": NOW,
    }


def _client_row(clinic_id: int) -> dict[str, Any]:
    return {
        "clinic_id": clinic_id,
        "given_name": "Cleo",
        "family_name": "Keys",
        "date_of_birth": datetime(1980, 1, 2).date(),
        "sex": "female",
        "created_at": NOW,
        "updated_at": NOW,
        "version": 1,
    }


def _insert(db: Database, table: Any, values: dict[str, Any]) -> int:
    with db.transaction() as conn:
        return int(conn.execute(table.insert().values(**values).returning(table.c.id)).scalar_one())


def test_a_reference_into_another_clinic_is_refused_by_the_database(fresh: Database) -> None:
    a, b = _two_clinics(fresh)
    assert a.id and b.id
    client_b = _insert(fresh, tables.clients, _client_row(b.clinic_id))
    session_b = _insert(fresh, tables.treatment_sessions, _session_row(b.clinic_id, client_b, b.id))
    before = _snapshot(fresh)
    attempts: list[tuple[Any, dict[str, Any]]] = [
        # a session of clinic B whose practitioner is clinic A's owner
        (tables.treatment_sessions, _session_row(b.clinic_id, client_b, a.id)),
        # a note written into clinic A about clinic B's client, or signed by a user of clinic A in clinic B
        (tables.notes, {"clinic_id": a.clinic_id, "client_id": client_b, "kind": "soap", "body": "x",
                        "author_id": a.id, "written_at": NOW}),
        (tables.notes, {"clinic_id": b.clinic_id, "client_id": client_b, "kind": "soap", "body": "x",
                        "author_id": b.id, "signed_by": a.id, "written_at": NOW}),
        # a hold in clinic A hanging under clinic B's session
        (tables.holds, {"clinic_id": a.clinic_id, "client_id": client_b, "session_id": session_b, "position": 0,
                        "trp_id": "x", "technique": "x", "pressure": 5, "seconds": 60, "discomfort": 5,
                        "released": True}),
        # clinic A making clinic B's owner one of its practitioners
        (tables.practitioner_profiles, {"user_id": b.id, "clinic_id": a.clinic_id, "bookable": True}),
    ]  # fmt: skip
    for table, values in attempts:
        with pytest.raises(IntegrityError):
            _insert(fresh, table, values) if "id" in table.c else _insert_plain(fresh, table, values)
    assert _snapshot(fresh) == before


def _insert_plain(db: Database, table: Any, values: dict[str, Any]) -> int:
    with db.transaction() as conn:
        conn.execute(table.insert().values(**values))
    return 0


def test_ids_are_unique_across_clinics_for_single_rows_executemany_and_bulk_loads(fresh: Database) -> None:
    a, b = _two_clinics(fresh)
    rooms = tables.rooms
    first = _insert(fresh, rooms, {"clinic_id": a.clinic_id, "name": "One", "active": True})
    with fresh.transaction() as conn:  # one executemany, rows of both clinics
        conn.execute(
            rooms.insert(),
            [{"clinic_id": (a, b)[i % 2].clinic_id, "name": f"Room {i}", "active": True} for i in range(40)],
        )
    with fresh.transaction() as conn:  # the seeders' way: explicit ids, then the sequences moved on
        top = int(conn.execute(select(func.max(rooms.c.id))).scalar_one())
        bulk.insert_rows(
            conn, rooms, [{"id": top + 10, "clinic_id": b.clinic_id, "name": "Bulk", "active": True}]
        )
        bulk.reset_sequences(conn, [rooms])
    last = _insert(fresh, rooms, {"clinic_id": b.clinic_id, "name": "Last", "active": True})
    with fresh.engine.connect() as conn:
        ids = list(conn.execute(select(rooms.c.id).order_by(rooms.c.id)).scalars())
    assert len(ids) == len(set(ids)) == 43
    assert ids[0] == first and ids[-1] == last == top + 11


def test_sqlite_refuses_executemany_with_returning_rather_than_number_two_rows_alike(fresh: Database) -> None:
    if fresh.dialect != "sqlite":
        pytest.skip("PostgreSQL numbers such rows from the sequence")
    a, _ = _two_clinics(fresh)
    rows = [{"clinic_id": a.clinic_id, "name": f"R{i}", "active": True} for i in range(3)]
    with pytest.raises(StatementError, match="RETURNING when executemany"), fresh.transaction() as conn:
        conn.execute(tables.rooms.insert().returning(tables.rooms.c.id), rows)


def test_writers_in_parallel_never_share_an_id(fresh: Database) -> None:
    """Two handles (each with its own in-process lock) write at once: on SQLite they queue on the database's
    write lock, on PostgreSQL the sequence numbers them."""
    a, b = _two_clinics(fresh)
    url = fresh.engine.url.render_as_string(hide_password=False)
    handles = [Database.from_url(url), Database.from_url(url)]
    errors: list[BaseException] = []

    def write(db: Database, clinic_id: int) -> None:
        try:
            for i in range(25):
                with db.transaction() as conn:
                    conn.execute(tables.rooms.insert().values(clinic_id=clinic_id, name=f"P{i}", active=True))
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [
        threading.Thread(target=write, args=(h, u.clinic_id)) for h, u in zip(handles, (a, b), strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for h in handles:
        h.dispose()
    assert errors == []
    with fresh.engine.connect() as conn:
        ids = list(conn.execute(select(tables.rooms.c.id)).scalars())
        assert conn.execute(text("SELECT count(DISTINCT id) FROM rooms")).scalar_one() == len(ids) == 50


def test_0019_refuses_a_database_where_a_record_names_a_user_of_another_clinic(fresh: Database) -> None:
    a, b = _two_clinics(fresh)
    assert a.id and b.id
    client_b = _insert(fresh, tables.clients, _client_row(b.clinic_id))
    migrate.downgrade(fresh.engine, _before_0019())
    fresh.dispose()
    with fresh.transaction() as conn:  # allowed by the old single-column reference to users.id
        conn.execute(tables.treatment_sessions.insert().values(**_session_row(b.clinic_id, client_b, a.id)))
    before = _snapshot(fresh)
    with pytest.raises(
        ValueError, match=r"treatment_sessions.practitioner_id: 1 row\(s\) name a user of another"
    ):
        migrate.upgrade(fresh.engine)
    fresh.dispose()
    assert migrate.current_revision(fresh.engine) == _before_0019()
    assert _snapshot(fresh) == before


def test_a_sqlite_migration_that_would_leave_a_broken_reference_is_rolled_back(fresh: Database) -> None:
    if fresh.dialect != "sqlite":
        pytest.skip("PostgreSQL checks every reference as the constraint is made")
    _two_clinics(fresh)
    with fresh.engine.connect() as conn:  # a dangling row, as a database written with foreign keys off has
        driver = conn.connection.driver_connection
        driver.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        with conn.begin():
            conn.execute(tables.rooms.insert().values(clinic_id=999, name="Nowhere", active=True))
        driver.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
    before = _snapshot(fresh)
    with pytest.raises(ValueError, match=r"1 broken reference\(s\), e.g. rooms row"):
        migrate.downgrade(fresh.engine, _before_0019())
    fresh.dispose()
    assert migrate.current_revision(fresh.engine) == migrate.head_revision()
    assert _snapshot(fresh) == before


def test_a_new_clinic_table_made_as_docs_scaling_says_numbers_its_rows(fresh: Database) -> None:
    """The migration of a new table (``sa.Identity()`` on ``id``) and its table in code (``keyed``'s NextId)."""
    ident = BigInteger().with_variant(Integer(), "sqlite")
    made = Table(
        "things",
        MetaData(),
        Column("id", ident, Identity(), nullable=False),
        Column("clinic_id", ident, nullable=False),
        Column("code", String(10), nullable=False),
        PrimaryKeyConstraint("id", "clinic_id"),
    )
    in_code = Table(
        "things",
        MetaData(),
        Column("id", Id, nullable=False, default=NextId("things")),
        Column("clinic_id", Id, nullable=False),
        Column("code", String(10), nullable=False),
        PrimaryKeyConstraint("id", "clinic_id"),
    )
    with fresh.transaction() as conn:
        made.create(conn)
    try:
        with fresh.transaction() as conn:
            conn.execute(in_code.insert(), [{"clinic_id": c, "code": f"c{c}"} for c in (1, 2, 1)])
            last = conn.execute(
                in_code.insert().values(clinic_id=2, code="x").returning(in_code.c.id)
            ).scalar()
            ids = list(conn.execute(select(in_code.c.id).order_by(in_code.c.id)).scalars())
        assert ids == [1, 2, 3, 4] and last == 4
    finally:
        with fresh.transaction() as conn:
            made.drop(conn)
