"""The clinic archive on SQLite and PostgreSQL: export, import into an empty database, export again gives the
same data; across the two databases too; bad archives are refused with an error that says where, and the
target database stays empty."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from tests import migrated
from tests.integration.conftest import PASSWORD, PG_URL, World, pg_database_name
from tests.records_factories import (
    make_assessment,
    make_client,
    make_intake,
    make_outcome,
    make_plan,
    make_session,
)

from taut.clinic import AccessDenied, CheckIn, ScreeningAnswer
from taut.exchange.archive import (
    DATA,
    DICTIONARY,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    csv_path,
    csv_text,
    export_clinic,
    in_csv,
)
from taut.exchange.archive_import import import_archive
from taut.exchange.codec import codecs
from taut.exchange.errors import ExchangeError
from taut.exchange.scope import archived_tables, clinic_scope
from taut.services import amendments, charts, clients, clinics, notes, records, sessions
from taut.services.demo import seed_demo
from taut.store import Database, make_engine, migrate, people, tables

HEAD = migrate.head_revision()  # the schema revision this code migrates to

pytestmark = pytest.mark.xdist_group("exchange")  # one worker owns the module's databases

HEAD = migrate.head_revision()  # the schema revision of this code


# --- databases -----------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def pg_extra(worker_id: str, pg_worker_url: str) -> Callable[[str], str]:
    """More PostgreSQL databases of this worker's own, by name suffix (``pg_worker_url`` holds the module's
    source database)."""
    made: dict[str, str] = {}

    def url(suffix: str) -> str:
        if suffix not in made:
            name = pg_database_name(worker_id, suffix)
            admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            made[suffix] = PG_URL.rsplit("/", 1)[0] + f"/{name}"
        return made[suffix]

    return url


def empty_database(backend: str, sqlite_file: Path, request: pytest.FixtureRequest, suffix: str) -> Database:
    """An empty database at the head revision."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{sqlite_file}")
    else:
        engine = make_engine(request.getfixturevalue("pg_extra")(suffix))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    migrated.upgrade(engine)
    return Database(engine)


EmptyDb = Callable[[str], Database]


@pytest.fixture
def empty(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EmptyDb]:
    """Makes empty databases: ``empty("sqlite")`` or ``empty("postgresql")`` (one of each at a time)."""
    made: list[Database] = []

    def make(backend: str) -> Database:
        made.append(empty_database(backend, tmp_path / f"target{len(made)}.sqlite3", request, "exchange"))
        return made[-1]

    yield make
    for d in made:
        d.dispose()


@pytest.fixture(scope="module")
def still_empty(
    db: Database, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """One empty database for the refused imports, which must leave it empty."""
    target = empty_database(db.dialect, tmp_path_factory.mktemp("empty") / "t.sqlite3", request, "refusals")
    yield target
    target.dispose()


def other(backend: str) -> str:
    return "postgresql" if backend == "sqlite" else "sqlite"


# --- the source: clinics A and B of the world, and the demo clinic --------------------------------------------
@dataclass
class Source:
    world: World
    demo_owner: Any
    demo_password: str
    a_archive: Path
    demo_archive: Path


@pytest.fixture(scope="module")
def source(db: Database, world: World, tmp_path_factory: pytest.TempPathFactory) -> Source:
    bob, alice = world.bob, world.alice
    # clinic A: every kind of record, an amended signed note and a red-flag decision among them
    the_people = {"occupation": "Cellist", "emergency_name": "Ben Keller", "referrer_name": "Dr Anna Meier"}
    client = clients.register_client(db, bob, make_client(**the_people))
    cid = client.id or 0
    first = records.record_intake(db, bob, cid, make_intake())
    amended = make_intake(chief_complaint="Left-sided headaches")  # an amended intake keeps its first version
    amendments.amend_intake(db, bob, cid, first, amended, expected_version=1, reason="Side misheard")
    records.record_assessment(db, bob, cid, make_assessment())
    plan_id = records.create_plan(db, bob, cid, make_plan())
    sid = records.record_session(db, bob, cid, make_session(bob.id or 0, plan_id=plan_id))
    records.record_checkin(
        db,
        bob,
        CheckIn(session_id=sid, recorded_at=datetime(2025, 3, 5, 9, tzinfo=UTC), tenderness=2, relief="some"),
    )
    records.record_outcome(db, bob, cid, make_outcome("ndi"))
    note = notes.write_note(db, bob, cid, kind="progress", body="Right upper trapezius, «good pain» 6/10.")
    signed = notes.sign_note(db, bob, note.id or 0, expected_version=1)
    notes.amend_note(db, alice, signed.id or 0, body="Also: left levator scapulae.")
    flagged = clients.register_client(db, bob, make_client(given_name="Lea", email="lea@example.org"))
    iid = records.record_intake(
        db, bob, flagged.id or 0, make_intake(screening=(ScreeningAnswer(term="fever", present=True),))
    )
    sessions.record_decision(
        db,
        bob,
        flagged.id or 0,
        iid,
        decision="referred",
        reason="Fever",
        referred_to="GP",
        flags=("meningitis_or_infection",),
    )
    # clinic B has a client of its own that must never appear in A's archive
    clients.register_client(db, world.carol, make_client(given_name="Bea", email="bea@example.org"))
    login = seed_demo(db, clients=6, seed=11)
    with db.transaction() as conn:
        found = people.user_by_email(conn, login.email)
    assert found is not None
    demo_owner = found[0]
    tmp = tmp_path_factory.mktemp("archives")
    a_archive = export_clinic(db, alice, tmp / "a.zip").path
    demo_archive = export_clinic(db, demo_owner, tmp / "demo.zip").path
    return Source(world, demo_owner, login.password, a_archive, demo_archive)


# --- helpers -------------------------------------------------------------------------------------------------
def sql_rows(db: Database, clinic_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every archived table's rows of one clinic, by direct SELECT, in id order."""
    with db.transaction() as conn:
        return {
            s.table.name: [
                tuple(r)
                for r in conn.execute(select(s.table).where(s.where).order_by(*s.table.primary_key.columns))
            ]
            for s in clinic_scope(clinic_id)
        }


def assert_same_rows(source: dict[str, list[Any]], target: dict[str, list[Any]]) -> None:
    """The target holds the source's rows. The source's audit trail has grown since the export (the export
    itself is audited, after the archive is written): the target holds its first entries."""
    assert list(source) == list(target)
    for name, rows in source.items():
        if name == "audit_log":
            assert target[name] == rows[: len(target[name])] and target[name]
        else:
            assert target[name] == rows, name


def data_of(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as zf:
        return dict(json.loads(zf.read(DATA))["tables"])


def manifest_of(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as zf:
        return dict(json.loads(zf.read(MANIFEST)))


def total_rows(db: Database) -> int:
    with db.transaction() as conn:
        return sum(conn.execute(select(func.count()).select_from(t)).scalar_one() for t in archived_tables())


def rewrite(
    src: Path,
    dst: Path,
    *,
    data: Callable[[dict[str, Any]], None] | None = None,
    manifest: Callable[[dict[str, Any]], None] | None = None,
    raw: Callable[[dict[str, bytes]], None] | None = None,
    resign: bool = True,
) -> Path:
    """A copy of an archive with data.json and/or the manifest changed; ``resign`` puts the new files' sizes
    and checksums in the manifest (as a careful forger would), so the later checks are reached."""
    with zipfile.ZipFile(src) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    if data is not None:
        doc = json.loads(files[DATA])
        data(doc["tables"])
        files[DATA] = json.dumps(doc).encode()
    if raw is not None:
        raw(files)
    m = json.loads(files[MANIFEST])
    if resign:
        for entry in m["files"]:
            if entry["path"] in files:
                entry["bytes"] = len(files[entry["path"]])
                entry["sha256"] = hashlib.sha256(files[entry["path"]]).hexdigest()
    if manifest is not None:
        manifest(m)
    files[MANIFEST] = json.dumps(m).encode()
    with zipfile.ZipFile(dst, "w") as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return dst


# --- round trips -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("clinic", ["A", "demo"])
def test_export_import_export_gives_the_same_data(
    db: Database, source: Source, empty: EmptyDb, tmp_path: Path, clinic: str
) -> None:
    owner = source.world.alice if clinic == "A" else source.demo_owner
    archive = source.a_archive if clinic == "A" else source.demo_archive
    target = empty(db.dialect)
    summary = import_archive(target, archive)
    assert summary.clinic_id == owner.clinic_id and summary.total == sum(
        len(r) for r in data_of(archive).values()
    )
    # the same rows, compared by direct SQL on both databases
    assert_same_rows(sql_rows(db, owner.clinic_id), sql_rows(target, owner.clinic_id))
    assert total_rows(target) == summary.total
    # the same sign-ins: password hashes came along
    password = PASSWORD if clinic == "A" else source.demo_password
    assert clinics.authenticate(target, email=owner.email, password=password).id == owner.id
    # and the same archive when exported again (the sign-in above is audited: compare without it)
    again = export_clinic(target, owner, tmp_path / "again.zip").path
    first, second = data_of(archive), data_of(again)
    assert list(first) == list(second)
    for name in first:
        rows = second[name] if name != "audit_log" else second[name][: len(first[name])]
        assert rows == first[name], name
    assert [e for e in second["audit_log"][len(first["audit_log"]) :] if e["action"] != "login"] == []
    m1, m2 = manifest_of(archive), manifest_of(again)
    assert [t["name"] for t in m1["tables"]] == [t["name"] for t in m2["tables"]]
    # new records get fresh ids after the imported ones (PostgreSQL's sequences were moved past them)
    before = max(r[0] for r in sql_rows(target, owner.clinic_id)["clients"])
    added = clients.register_client(target, owner, make_client(given_name="New", email="new@example.org"))
    assert added.id == before + 1


def test_an_archive_moves_between_sqlite_and_postgresql(
    db: Database, source: Source, empty: EmptyDb, tmp_path: Path
) -> None:
    target = empty(other(db.dialect))
    import_archive(target, source.a_archive)
    alice = source.world.alice
    assert_same_rows(sql_rows(db, alice.clinic_id), sql_rows(target, alice.clinic_id))
    chart = charts.load_chart(target, alice, sql_rows(target, alice.clinic_id)["clients"][0][0])
    assert chart.intakes and chart.sessions and chart.sessions[0].session.holds
    back = export_clinic(target, alice, tmp_path / "back.zip").path
    first, second = data_of(source.a_archive), data_of(back)
    assert {n: r for n, r in first.items() if n != "audit_log"} == {
        n: r for n, r in second.items() if n != "audit_log"
    }
    assert second["audit_log"][: len(first["audit_log"])] == first["audit_log"]


def test_the_archive_holds_one_clinic_and_nothing_of_another(source: Source) -> None:
    a = source.world.alice.clinic_id
    data = data_of(source.a_archive)
    assert [c["id"] for c in data["clinics"]] == [a]
    for name, rows in data.items():
        for row in rows:
            assert row.get("clinic_id", a) == a, name
    assert {u["email"] for u in data["users"]} == {
        source.world.alice.email,
        source.world.bob.email,
        source.world.fran.email,
    }
    assert all(u["password_hash"].startswith("$argon2") for u in data["users"])
    assert len(data["notes"]) == 2 and data["notes"][1]["amends_id"] == data["notes"][0]["id"]
    assert len(data["screening_decisions"]) == 1


def test_the_manifest_describes_the_archive(db: Database, source: Source) -> None:
    m = manifest_of(source.demo_archive)
    data = data_of(source.demo_archive)
    assert (m["format"], m["format_version"]) == (FORMAT, FORMAT_VERSION)
    assert m["schema_revision"] == migrate.current_revision(db.engine)
    assert m["clinic"] == {"id": source.demo_owner.clinic_id, "name": "Taut Demo Clinic"}
    assert m["created_by"] == source.demo_owner.email
    assert datetime.fromisoformat(m["created_at"]).tzinfo is not None
    assert sorted(m["left_out"]) == ["login_throttle", "taut_meta", "web_sessions"]  # no sign-in state
    assert [t["name"] for t in m["tables"]] == [t.name for t in archived_tables()] == list(data)
    assert all(t["rows"] == len(data[t["name"]]) for t in m["tables"])
    assert data["holds"] and data["treatment_sessions"] and data["audit_log"]
    with zipfile.ZipFile(source.demo_archive) as zf:
        listed = {f["path"]: f for f in m["files"]}
        assert set(listed) | {MANIFEST} == set(zf.namelist())
        assert set(listed) == {DATA, DICTIONARY} | {csv_path(t.name) for t in archived_tables()}
        for name, entry in listed.items():
            content = zf.read(name)
            assert entry["bytes"] == len(content)
            assert entry["sha256"] == hashlib.sha256(content).hexdigest()


def test_the_csv_files_say_what_data_json_says(source: Source) -> None:
    data = data_of(source.demo_archive)
    with zipfile.ZipFile(source.demo_archive) as zf:
        for table in archived_tables():
            cols = [c for c in codecs(table) if in_csv(table.name, c.name)]
            reader = csv.reader(io.StringIO(zf.read(csv_path(table.name)).decode("utf-8")))
            assert next(reader) == [c.name for c in cols]
            from_csv = [
                [c.from_text(csv_text(cell)) for c, cell in zip(cols, row, strict=True)] for row in reader
            ]
            from_json = [[c.from_json(row[c.name]) for c in cols] for row in data[table.name]]

            def same(c: Any, v: Any) -> Any:
                return None if c.kind == "text" and v == "" else v  # an empty cell is NULL or ""

            assert [[same(c, v) for c, v in zip(cols, r, strict=True)] for r in from_csv] == [
                [same(c, v) for c, v in zip(cols, r, strict=True)] for r in from_json
            ], table.name


def test_the_export_reads_one_consistent_snapshot(db: Database, source: Source, tmp_path: Path) -> None:
    alice = source.world.alice
    added: list[int] = []

    def write_meanwhile(done: int, total: int) -> None:
        if not added:  # after the first table, someone registers a client
            c = clients.register_client(db, alice, make_client(given_name="Late", email="late@example.org"))
            added.append(c.id or 0)

    path = export_clinic(db, alice, tmp_path / "busy.zip", progress=write_meanwhile).path
    data, m = data_of(path), manifest_of(path)
    assert added and added[0] not in {c["id"] for c in data["clients"]}
    assert all(t["rows"] == len(data[t["name"]]) for t in m["tables"])
    assert all(e["record_id"] != added[0] for e in data["audit_log"])


# --- access and files ------------------------------------------------------------------------------------------
def test_only_an_owner_exports_and_the_export_is_audited(
    db: Database, source: Source, tmp_path: Path
) -> None:
    w = source.world
    for user in (w.bob, w.fran):
        with pytest.raises(AccessDenied, match="may not manage users"):
            export_clinic(db, user, tmp_path / "no.zip")
    assert not (tmp_path / "no.zip").exists()
    trail = charts.audit_trail(db, w.alice, limit=50)
    assert [e.user_id for e in trail if e.action == "denied" and e.entity == "clinic"][:2] == [
        w.fran.id,
        w.bob.id,
    ]
    assert any(e.action == "export" and e.entity == "clinic" and e.user_id == w.alice.id for e in trail)


def test_an_existing_file_is_kept_unless_replaced_and_no_partial_file_is_left(
    db: Database, source: Source, tmp_path: Path
) -> None:
    path = tmp_path / "clinic.zip"
    path.write_bytes(b"precious")
    with pytest.raises(ExchangeError, match="already exists"):
        export_clinic(db, source.world.alice, path)
    assert path.read_bytes() == b"precious"
    export_clinic(db, source.world.alice, path, replace=True)
    assert zipfile.is_zipfile(path)
    assert [p.name for p in tmp_path.iterdir()] == ["clinic.zip"]
    with pytest.raises(ExchangeError, match="does not exist"):
        export_clinic(db, source.world.alice, tmp_path / "missing" / "clinic.zip")


# --- bad archives ----------------------------------------------------------------------------------------------
def _flip_a_digit(files: dict[str, bytes], name: str) -> None:
    """Change one digit in the middle of a file: the same size, another checksum."""
    content = bytearray(files[name])
    i = next(k for k in range(len(content) // 2, len(content)) if chr(content[k]).isdigit())
    content[i] = ord("7") if content[i] != ord("7") else ord("8")
    files[name] = bytes(content)


def _set(table: str, i: int, column: str, value: object) -> Callable[[dict[str, Any]], None]:
    def edit(tables: dict[str, Any]) -> None:
        tables[table][i][column] = value

    return edit


def _first_client_id(tables: dict[str, Any]) -> None:
    tables["clients"][1]["id"] = tables["clients"][0]["id"]


def _same_email(tables: dict[str, Any]) -> None:
    tables["users"][1]["email"] = tables["users"][0]["email"]


def _unknown_column(tables: dict[str, Any]) -> None:
    tables["holds"][0]["colour"] = "red"


def _missing_column(tables: dict[str, Any]) -> None:
    del tables["holds"][0]["discomfort"]


def _one_hold_less(tables: dict[str, Any]) -> None:
    tables["holds"].pop()


BAD: dict[str, tuple[dict[str, Any], str]] = {
    "tampered data.json": (
        {"raw": lambda f: _flip_a_digit(f, DATA), "resign": False},
        "data.json: its SHA-256 checksum does not match the manifest (the file was changed)",
    ),
    "tampered CSV": (
        {"raw": lambda f: _flip_a_digit(f, "csv/holds.csv"), "resign": False},
        "csv/holds.csv: its SHA-256 checksum does not match the manifest",
    ),
    "longer data.json": (
        {"raw": lambda f: f.update({DATA: f[DATA] + b" "}), "resign": False},
        "data.json: has ",
    ),
    "unlisted file": (
        {"raw": lambda f: f.update({"notes.txt": b"hello"})},
        "notes.txt: is in the archive but not listed in the manifest",
    ),
    "older schema": (
        {"manifest": lambda m: m.update(schema_revision="0001")},
        f"manifest.json schema_revision: the archive is at schema revision 0001, the database at {HEAD}: migrate "
        "the empty database with `taut db downgrade 0001`, import, then run `taut db upgrade`",
    ),
    "unknown schema": (
        {"manifest": lambda m: m.update(schema_revision="9999")},
        "manifest.json schema_revision: the archive comes from schema revision '9999', which this Taut does "
        "not know; upgrade Taut",
    ),
    "other format": (
        {"manifest": lambda m: m.update(format="zip")},
        "manifest.json format: 'zip' is not a Taut clinic archive ('taut-clinic-archive')",
    ),
    "newer format": (
        {"manifest": lambda m: m.update(format_version=2)},
        "manifest.json format_version: 2 is newer than this Taut reads (1); upgrade Taut",
    ),
    "unknown table": (
        {"manifest": lambda m: m["tables"][3].update(name="invoices")},
        "manifest.json tables[3].name: unknown table 'invoices'",
    ),
    "bad whole number": (
        {"data": _set("holds", 16, "discomfort", "x")},
        "data.json tables.holds[16].discomfort: not a whole number: 'x'",
    ),
    "out of range": (
        {"data": _set("holds", 2, "seconds", 10**6)},
        "data.json tables.holds[2].seconds: 1000000 is out of range (-32768 to 32767)",
    ),
    "time without zone": (
        {"data": _set("treatment_sessions", 0, "occurred_at", "2025-03-03T14:00:00")},
        "data.json tables.treatment_sessions[0].occurred_at: the time has no time zone",
    ),
    "bad date": (
        {"data": _set("clients", 2, "date_of_birth", "17.05.1984")},
        "data.json tables.clients[2].date_of_birth: not a date (YYYY-MM-DD): '17.05.1984'",
    ),
    "null where a value is needed": (
        {"data": _set("users", 0, "email", None)},
        "data.json tables.users[0].email: must have a value (it is null)",
    ),
    "too long": (
        {"data": _set("clients", 0, "sex", "x" * 11)},
        "data.json tables.clients[0].sex: longer than 10 characters (11)",
    ),
    "dangling reference": (
        {"data": _set("holds", 3, "session_id", 999_999)},
        "data.json tables.holds[3].session_id: refers to treatment_sessions clinic_id, id = (",
    ),
    "dangling user": (
        {"data": _set("notes", 0, "author_id", 999_999)},
        "data.json tables.notes[0].author_id: refers to users clinic_id, id = (",
    ),
    "repeated id": ({"data": _first_client_id}, "data.json tables.clients[1].id: "),
    "repeated e-mail": ({"data": _same_email}, "data.json tables.users[1].email: "),
    "unknown column": ({"data": _unknown_column}, "data.json tables.holds[0].colour: unknown column"),
    "missing column": ({"data": _missing_column}, "data.json tables.holds[0].discomfort: is missing"),
    "row count": ({"data": _one_hold_less}, "data.json tables.holds: has "),
    "not JSON": (
        {"raw": lambda f: f.update({DATA: b'{"tables": {'})},
        "data.json line 1 column 13: not valid JSON",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_archive_is_refused_saying_where_and_nothing_is_written(
    source: Source, still_empty: Database, tmp_path: Path, case: str
) -> None:
    edits, message = BAD[case]
    bad = rewrite(source.demo_archive, tmp_path / "bad.zip", **edits)
    target = still_empty
    with pytest.raises(ExchangeError) as e:
        import_archive(target, bad)
    assert str(e.value).startswith(message), str(e.value)
    assert total_rows(target) == 0


def test_files_that_are_no_archive_are_refused(still_empty: Database, tmp_path: Path) -> None:
    target = still_empty
    text_file = tmp_path / "clinic.zip"
    text_file.write_text("id,name\n1,A\n")
    with pytest.raises(ExchangeError, match=r"clinic\.zip: not a zip archive"):
        import_archive(target, text_file)
    no_manifest = tmp_path / "other.zip"
    with zipfile.ZipFile(no_manifest, "w") as zf:
        zf.writestr(DATA, '{"tables": {}}')
    with pytest.raises(ExchangeError, match=r"other\.zip: has no manifest\.json: not a Taut clinic archive"):
        import_archive(target, no_manifest)
    with pytest.raises(ExchangeError, match="no such file"):
        import_archive(target, tmp_path / "missing.zip")
    assert total_rows(target) == 0


def test_a_database_that_is_not_empty_is_refused(db: Database, source: Source) -> None:
    before = total_rows(db)
    with pytest.raises(
        ExchangeError, match=r"^database: is not empty \(it holds clinics, [a-z_]+, [a-z_]+, \.\.\.\)"
    ):
        import_archive(db, source.a_archive)
    assert total_rows(db) == before


def test_a_database_without_the_schema_is_told_to_migrate(
    db: Database, source: Source, tmp_path: Path
) -> None:
    bare = Database(make_engine(f"sqlite:///{tmp_path / 'bare.sqlite3'}"))
    with pytest.raises(
        ExchangeError, match=rf"database: has no Taut schema yet; run `taut db upgrade {HEAD}` first"
    ):
        import_archive(bare, source.a_archive)
    bare.dispose()


def test_when_the_database_refuses_a_row_the_whole_import_is_undone(
    db: Database, source: Source, empty: EmptyDb
) -> None:
    target = empty(db.dialect)
    with target.transaction() as conn:  # a real refusal by the database, late in the import
        if target.dialect == "sqlite":
            conn.execute(
                text(
                    "CREATE TRIGGER no_holds BEFORE INSERT ON holds BEGIN SELECT RAISE(ABORT, 'no holds'); END"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE FUNCTION no_holds() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'no holds'; END $$"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER no_holds BEFORE INSERT ON holds FOR EACH ROW EXECUTE FUNCTION no_holds()"
                )
            )
    with pytest.raises(
        ExchangeError, match=r"^database table holds: refused the rows \(.*no holds.*\); nothing was imported"
    ):
        import_archive(target, source.demo_archive)
    assert total_rows(target) == 0
    with target.transaction() as conn:
        assert conn.execute(select(func.count()).select_from(tables.clinics)).scalar_one() == 0
