"""CHOIR Body Map CSV against the records, on SQLite and PostgreSQL: drawings go out as CHOIR codes and come
back as new intakes with the same codes; a bad row or another clinic's client writes nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.integration.conftest import World
from tests.records_factories import make_client, make_intake

from taut.anatomy.crosswalk import choir_code
from taut.anatomy.pain import PainDrawing, PainMark
from taut.anatomy.regions import RegionRef, Side
from taut.clinic import AccessDenied, RecordValidationError
from taut.exchange.choir import AUDIT_DETAIL, DEFAULT_COMPLAINT, export_drawings, import_drawings
from taut.exchange.errors import ExchangeError
from taut.services import charts, clients, records
from taut.store import Database, tables

DRAWING = PainDrawing.of(
    [
        PainMark(RegionRef("head.temple", Side.RIGHT), 6, ("aching",)),
        PainMark(RegionRef("neck.throat", None), 3),
        PainMark(RegionRef("lowback.lumbar", Side.LEFT), 7, ("sharp", "burning")),
    ]
)


@pytest.fixture(scope="module")
def painted(db: Database, world: World) -> list[int]:
    """Two clients of clinic A, one with two intakes."""
    ids = []
    for given in ("Ana", "Ben"):
        c = clients.register_client(
            db, world.bob, make_client(given_name=given, email=f"{given}@example.org")
        )
        ids.append(c.id or 0)
    records.record_intake(db, world.bob, ids[0], make_intake(pain_drawing=DRAWING))
    records.record_intake(db, world.bob, ids[0], make_intake())
    records.record_intake(db, world.bob, ids[1], make_intake())
    return ids


def intake_count(db: Database) -> int:
    with db.transaction() as conn:
        return int(conn.execute(select(func.count()).select_from(tables.intakes)).scalar_one())


def codes(drawing: PainDrawing) -> set[int]:
    return {c for m in drawing.marks for c in choir_code(m.ref)}


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_drawings_go_out_as_choir_codes_and_come_back_the_same(
    db: Database, world: World, painted: list[int], tmp_path: Path
) -> None:
    ana = painted[0]
    out = export_drawings(db, world.bob, tmp_path / "drawings.csv", client_id=ana)
    assert (out.intakes, out.clients) == (2, 1)
    rows = read(out.path)
    assert len(rows) == out.rows
    assert {r["client_id"] for r in rows} == {str(ana)}
    before = [i.pain_drawing for i in charts.load_chart(db, world.bob, ana).intakes]
    n = intake_count(db)

    # the full export comes back as the same drawings
    done = import_drawings(db, world.bob, out.path)
    assert len(done.intake_ids) == 2 and done.clients == 1 and done.rows == len(rows)
    chart = charts.load_chart(db, world.bob, ana)
    new = [i for i in chart.intakes if i.id in done.intake_ids]
    assert sorted(sorted(m.ref.key for m in d.marks) for d in before) == sorted(
        sorted(m.ref.key for m in i.pain_drawing.marks) for i in new
    )
    assert {frozenset(i.pain_drawing.marks) for i in new} == {frozenset(d.marks) for d in before}
    assert all(i.chief_complaint == DEFAULT_COMPLAINT for i in new)

    # the CHOIR columns alone (as another tool writes them) bring the same CHOIR codes back
    bare = write(
        tmp_path / "bare.csv",
        ["client_id", "date", "choir_code", "intensity"],
        [[r["client_id"], r["recorded_on"], r["choir_code"], r["intensity"]] for r in rows],
    )
    done = import_drawings(db, world.bob, bare)
    chart = charts.load_chart(db, world.bob, ana)
    by_date = {i.recorded_on: i for i in chart.intakes if i.id in done.intake_ids}
    assert len(by_date) == 1  # both exported intakes share a date: one CHOIR drawing per client and date
    assert codes(next(iter(by_date.values())).pain_drawing) == codes(before[0]) | codes(before[1])
    assert intake_count(db) == n + 3

    trail = charts.audit_trail(db, world.alice, client_id=ana, limit=20)
    assert sum(e.action == "create" and e.detail == AUDIT_DETAIL for e in trail) == 3
    assert any(e.action == "read" and e.detail == "CHOIR body map export" for e in trail)


def test_the_whole_clinic_is_exported_and_nothing_of_another(
    db: Database, world: World, painted: list[int], tmp_path: Path
) -> None:
    clients.register_client(db, world.carol, make_client(given_name="Cleo", email="cleo@example.org"))
    out = export_drawings(db, world.alice, tmp_path / "all.csv")
    rows = read(out.path)
    assert set(painted) <= {int(r["client_id"]) for r in rows}
    b = export_drawings(db, world.carol, tmp_path / "b.csv")
    assert b.rows == 0 and read(b.path) == []


def test_an_unknown_client_or_a_bad_row_writes_nothing(
    db: Database, world: World, painted: list[int], tmp_path: Path
) -> None:
    carols = clients.register_client(
        db, world.carol, make_client(given_name="Dora", email="dora@example.org")
    )
    n = intake_count(db)
    header = ["client_id", "recorded_on", "choir_code", "intensity"]
    other_clinic = write(
        tmp_path / "a.csv",
        header,
        [[str(painted[0]), "2025-01-01", "103", "5"], [str(carols.id), "2025-01-01", "201", "4"]],
    )
    with pytest.raises(
        RecordValidationError, match=rf"^a\.csv row 3 column client_id: client {carols.id} not found"
    ):
        import_drawings(db, world.bob, other_clinic)
    bad = write(
        tmp_path / "b.csv",
        header,
        [[str(painted[0]), "2025-01-01", "103", "5"], [str(painted[1]), "2025-01-01", "99", ""]],
    )
    with pytest.raises(
        ExchangeError, match=r"^b\.csv row 3 column choir_code: unknown CHOIR Body Map code 99"
    ):
        import_drawings(db, world.bob, bad)
    assert intake_count(db) == n


def test_the_front_desk_neither_exports_nor_imports_drawings(
    db: Database, world: World, painted: list[int], tmp_path: Path
) -> None:
    good = write(
        tmp_path / "g.csv", ["client_id", "date", "choir_code"], [[str(painted[0]), "2025-01-01", "103"]]
    )
    with pytest.raises(AccessDenied, match="may not read clinical records"):
        export_drawings(db, world.fran, tmp_path / "no.csv")
    with pytest.raises(AccessDenied, match="may not write clinical records"):
        import_drawings(db, world.fran, good)
    assert not (tmp_path / "no.csv").exists()
