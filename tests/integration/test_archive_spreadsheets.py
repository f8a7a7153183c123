"""The clinic archive for spreadsheet users (issue 17.4), on SQLite and PostgreSQL: no CSV cell runs as a
formula, a byte order mark on request, a data dictionary, no password hash in a CSV file."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from tests.integration.conftest import World
from tests.records_factories import make_client

from taut.exchange.archive import DICTIONARY, FORMULA_START, csv_path, csv_text, export_clinic
from taut.exchange.scope import archived_tables
from taut.services import clients, notes
from taut.store import Database

NASTY = ('=HYPERLINK("http://evil.example","click")', "+41 79 000 00 00", "-2+3", "@SUM(A1:A9)")


def _archive(db: Database, world: World, tmp_path: Path, *, bom: bool) -> zipfile.ZipFile:
    path = tmp_path / f"archive-{bom}.zip"
    export_clinic(db, world.alice, path, bom=bom, replace=True)
    return zipfile.ZipFile(path)


def _rows(zf: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(zf.read(name).decode("utf-8-sig"))))


def test_no_cell_runs_as_a_formula_and_no_password_hash_is_in_a_csv(
    db: Database, world: World, tmp_path: Path
) -> None:
    c = clients.register_client(
        db,
        world.bob,
        make_client(given_name=NASTY[0], family_name="Müller", phone=NASTY[1], address=NASTY[2]),
    )
    assert c.id is not None
    notes.write_note(db, world.bob, c.id, kind="progress", body=NASTY[3])
    with _archive(db, world, tmp_path, bom=False) as zf:
        for table in archived_tables():
            raw = zf.read(csv_path(table.name)).decode("utf-8")
            assert "$argon2" not in raw and "password" not in raw.splitlines()[0], table.name
            for row in csv.reader(io.StringIO(raw)):
                for cell in row:
                    assert not cell.startswith(FORMULA_START), (table.name, cell)
        mine = next(r for r in _rows(zf, csv_path("clients")) if r["id"] == str(c.id))
        assert mine["given_name"] == "'" + NASTY[0] and mine["phone"] == "'" + NASTY[1]
        assert [csv_text(mine[k]) for k in ("given_name", "phone", "address")] == list(NASTY[:3])
        assert any(r["body"] == "'" + NASTY[3] for r in _rows(zf, csv_path("notes")))
        # data.json, the source of an import, keeps every value as it is, password hashes included.
        data = json.loads(zf.read("data.json"))["tables"]
        assert any(r["given_name"] == NASTY[0] for r in data["clients"])
        assert all(u["password_hash"].startswith("$argon2") for u in data["users"])
        manifest = json.loads(zf.read("manifest.json"))
        assert "users.password_hash" in manifest["csv"]["left_out"]
        assert manifest["csv"]["byte_order_mark"] is False


def test_a_byte_order_mark_on_request(db: Database, world: World, tmp_path: Path) -> None:
    clients.register_client(db, world.bob, make_client(family_name="Ångström-Çelik"))
    with _archive(db, world, tmp_path, bom=True) as zf:
        for name in [csv_path(t.name) for t in archived_tables()] + [DICTIONARY]:
            assert zf.read(name).startswith("\ufeff".encode()), name
        assert any(r["family_name"] == "Ångström-Çelik" for r in _rows(zf, csv_path("clients")))
        assert json.loads(zf.read("manifest.json"))["csv"]["byte_order_mark"] is True
    with _archive(db, world, tmp_path, bom=False) as zf:
        assert not zf.read(csv_path("clients")).startswith("\ufeff".encode())


def test_the_data_dictionary_gives_types_and_keys(db: Database, world: World, tmp_path: Path) -> None:
    with _archive(db, world, tmp_path, bom=False) as zf:
        rows = _rows(zf, DICTIONARY)
        by = {(r["table"], r["column"]): r for r in rows}
        # Every column of every CSV file is described, and nothing else.
        for table in archived_tables():
            header = next(csv.reader(io.StringIO(zf.read(csv_path(table.name)).decode("utf-8"))))
            assert [r["column"] for r in rows if r["table"] == table.name] == header
        assert (
            by[("clients", "id")]["key"] == "primary key" and by[("clients", "id")]["type"] == "whole number"
        )
        assert by[("holds", "session_id")]["refers_to"] == "treatment_sessions.id"
        assert by[("users", "email")]["key"] == "unique within its clinic"  # one e-mail per clinic
        assert (
            by[("clients", "date_of_birth")]["type"].startswith("date")
            and by[("clients", "date_of_birth")]["may_be_empty"] == "no"
        )
        assert by[("clients", "email")]["may_be_empty"] == "yes"
        assert "at most 100 characters" in by[("clients", "family_name")]["type"]
        assert ("users", "password_hash") not in by
