"""Pain drawings as CHOIR Body Map codes in a CSV file, out and in.

The CHOIR Body Map (Scherrer et al., Pain Reports 2021;6:e880; codes from the CHOIRBM package, Cramer et al.,
PLoS Comput Biol 2022) has 74 areas, codes 101-136 (front) and 201-238 (back), each on one side of the
patient. Taut's regions are finer: each lies inside one CHOIR area (per side), and a midline region lies
across the right and the left area of its group (``taut.anatomy.crosswalk``).

Export: one row per painted region and CHOIR code (a midline region gives two rows), with the Taut region
beside the code and whether the code says exactly that region (``exact``) or more (``note`` says how).
Import: each row's code becomes every Taut region inside it (the whole area was painted), except that a
row which also names a Taut region inside its code brings just that region, so a Taut export comes back
unchanged; midline regions come in only when both halves of their group are painted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from sqlalchemy import select

from taut.anatomy.crosswalk import choir_code, choir_labels, regions_for_choir
from taut.anatomy.pain import QUALITIES, PainDrawing, PainDrawingError, PainMark
from taut.anatomy.regions import RegionRef, Side
from taut.clinic.intake import Intake
from taut.clinic.people import Permission, User
from taut.exchange.errors import ExchangeError
from taut.exchange.files import atomic_target
from taut.services import access
from taut.services.choir_import import ImportedIntake, import_intakes
from taut.store import people, tables
from taut.store.engine import Database

EXPORT_COLUMNS = (
    "client_id",
    "intake_id",
    "recorded_on",
    "choir_code",
    "choir_label",
    "choir_side",
    "intensity",
    "qualities",
    "taut_region",
    "taut_side",
    "exact",
    "note",
)
REQUIRED = ("client_id", "choir_code")
DATE_COLUMNS = ("recorded_on", "date")
OPTIONAL = (
    "intake_id",
    "intensity",
    "qualities",
    "chief_complaint",
    "taut_region",
    "taut_side",
    "choir_side",
)
IGNORED = ("choir_label", "exact", "note")  # written by the export for people; derived from the code
DEFAULT_COMPLAINT = "Pain drawing imported from CHOIR body map"
AUDIT_DETAIL = "imported from CHOIR body map"


# --- export ------------------------------------------------------------------------------------------------
def drawing_rows(client_id: int, intake_id: int, recorded_on: date, drawing: PainDrawing) -> list[list[str]]:
    """The CSV rows (in EXPORT_COLUMNS order) of one intake's drawing."""
    labels = choir_labels()
    out = []
    for mark in drawing.marks:
        codes = choir_code(mark.ref)
        for code in codes:
            label, side = labels[code]
            inside = regions_for_choir(code)
            exact = inside == [mark.ref]
            if len(codes) > 1:
                note = f"midline region: lies across CHOIR {codes[0]} and {codes[1]}"
            elif not exact:
                others = len(inside) - 1
                note = (
                    f"CHOIR {code} is broader: it also holds {others} other Taut region{'s' * (others != 1)}"
                )
            else:
                note = ""
            out.append(
                [
                    str(client_id),
                    str(intake_id),
                    recorded_on.isoformat(),
                    str(code),
                    label,
                    side.value,
                    "" if mark.intensity is None else str(mark.intensity),
                    ";".join(mark.qualities),
                    mark.ref.region,
                    mark.ref.side.value if mark.ref.side else "",
                    "true" if exact else "false",
                    note,
                ]
            )
    return out


@dataclass(frozen=True)
class ChoirExport:
    path: Path
    rows: int
    intakes: int
    clients: int


def export_drawings(
    db: Database, user: User, path: Path, *, client_id: int | None = None, replace: bool = False
) -> ChoirExport:
    """Write the pain drawings of the user's clinic (or of one client) as CHOIR codes to a CSV file. The read
    is audited once per client."""
    access.require(db, user, Permission.READ_CLINICAL, entity="intake")
    i = tables.intakes.c
    query = (
        select(i.id, i.client_id, i.recorded_on, i.pain_drawing)
        .where(i.clinic_id == user.clinic_id)
        .order_by(i.client_id, i.recorded_on, i.id)
    )
    with db.transaction() as conn:
        if client_id is not None:
            people.get_client(conn, user.clinic_id, client_id)
            query = query.where(i.client_id == client_id)
        found = conn.execute(query).all()
        clients = sorted({r.client_id for r in found} | ({client_id} if client_id is not None else set()))
        for cid in clients:
            access.log(conn, user, "read", "intake", None, client_id=cid, detail="CHOIR body map export")
    rows: list[list[str]] = []
    for r in found:
        rows.extend(drawing_rows(r.client_id, r.id, r.recorded_on, PainDrawing.from_list(r.pain_drawing)))
    with atomic_target(path, replace=replace) as part, part.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(EXPORT_COLUMNS)
        out.writerows(rows)
    return ChoirExport(path, len(rows), len(found), len({r.client_id for r in found}))


# --- import ------------------------------------------------------------------------------------------------
@dataclass
class _Row:
    number: int  # as a spreadsheet counts: the header is row 1
    client_id: int
    recorded_on: date
    code: int
    intensity: int | None
    qualities: tuple[str, ...]
    complaint: str
    ref: RegionRef | None


@dataclass
class _Drawing:
    rows: list[_Row] = field(default_factory=list)


@cache
def _partners() -> dict[int, int]:
    """Each CHOIR code -> the code of the same area on the other side."""
    by_label: dict[str, list[int]] = {}
    for code, (label, _) in choir_labels().items():
        by_label.setdefault(label, []).append(code)
    return {a: b for pair in by_label.values() for a, b in (pair, pair[::-1])}


class _Cells:
    """One CSV row's cells by column, with errors that name the row and the column."""

    def __init__(self, name: str, number: int, header: list[str], cells: list[str]) -> None:
        self.name = name
        self.number = number
        self.values = dict(zip(header, (c.strip() for c in cells), strict=True))

    def where(self, column: str) -> str:
        return f"{self.name} row {self.number} column {column}"

    def get(self, column: str) -> str:
        return self.values.get(column, "")

    def required(self, column: str) -> str:
        value = self.get(column)
        if not value:
            raise ExchangeError(self.where(column), "is empty")
        return value

    def whole(self, column: str, low: int, high: int | None, what: str) -> int | None:
        value = self.get(column)
        if not value:
            return None
        if not value.lstrip("+-").isdigit():
            raise ExchangeError(self.where(column), f"not {what}: {value!r}")
        number = int(value)
        if number < low or (high is not None and number > high):
            raise ExchangeError(self.where(column), f"{number} is not {what}")
        return number


def read_drawings(text: str, name: str) -> list[ImportedIntake]:
    """The intakes a CHOIR CSV describes: one per client and intake id (or, without an intake_id column,
    per client and date). Bad input raises ExchangeError naming the row and the column."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ExchangeError(name, "is empty; the first row names the columns") from None
    except csv.Error as e:
        raise ExchangeError(f"{name} row 1", f"not CSV ({e})") from None
    _check_header(header, name)
    date_column = next(c for c in DATE_COLUMNS if c in header)
    groups: dict[tuple[int, str], _Drawing] = {}
    number = 1
    try:
        for cells in reader:
            number += 1
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                raise ExchangeError(
                    f"{name} row {number}", f"has {len(cells)} cells, the header has {len(header)}"
                )
            found = _Cells(name, number, header, cells)
            row = _cells(found, date_column)
            intake_id = found.whole("intake_id", 1, None, "an intake id (a whole number)")
            key = (row.client_id, f"intake {intake_id}" if intake_id else f"date {row.recorded_on}")
            groups.setdefault(key, _Drawing()).rows.append(row)
    except csv.Error as e:
        raise ExchangeError(f"{name} row {number}", f"not CSV ({e})") from None
    if not groups:
        raise ExchangeError(name, "has no rows below the header")
    return [_intake(g, name, date_column) for g in groups.values()]


def _check_header(header: list[str], name: str) -> None:
    known = set(REQUIRED + DATE_COLUMNS + OPTIONAL + IGNORED)
    for column in header:
        if column not in known:
            raise ExchangeError(
                f"{name} row 1 column {column or '(empty)'}",
                f"unknown column; the columns are {', '.join(REQUIRED)}, recorded_on (or date), "
                f"and optionally {', '.join(OPTIONAL)}",
            )
        if header.count(column) > 1:
            raise ExchangeError(f"{name} row 1 column {column}", "appears twice")
    for column in REQUIRED:
        if column not in header:
            raise ExchangeError(f"{name} row 1", f"the column {column} is missing")
    dates = [c for c in DATE_COLUMNS if c in header]
    if len(dates) != 1:
        raise ExchangeError(f"{name} row 1", "give the date in one column, recorded_on (or date)")


def _cells(c: _Cells, date_column: str) -> _Row:
    client_id = c.whole("client_id", 1, None, "a client id (a whole number)")
    if client_id is None:
        raise ExchangeError(c.where("client_id"), "is empty")
    text = c.required(date_column)
    try:
        recorded_on = date.fromisoformat(text)
    except ValueError:
        raise ExchangeError(c.where(date_column), f"not a date (YYYY-MM-DD): {text!r}") from None
    code = c.whole("choir_code", 0, None, "a CHOIR Body Map code")
    labels = choir_labels()
    if code is None:
        raise ExchangeError(c.where("choir_code"), "is empty")
    if code not in labels:
        raise ExchangeError(
            c.where("choir_code"), f"unknown CHOIR Body Map code {code}; codes are 101-136 and 201-238"
        )
    label, side = labels[code]
    stated = c.get("choir_side").lower()
    if stated and stated != side.value:
        raise ExchangeError(
            c.where("choir_side"), f"CHOIR {code} ({label}) is on the patient's {side.value}, not {stated!r}"
        )
    intensity = c.whole("intensity", 0, 10, "an intensity 0-10")
    qualities = tuple(q.strip().lower() for q in c.get("qualities").replace(",", ";").split(";") if q.strip())
    unknown = [q for q in qualities if q not in QUALITIES]
    if unknown:
        raise ExchangeError(
            c.where("qualities"), f"unknown pain quality {unknown[0]!r}; known: {', '.join(QUALITIES)}"
        )
    return _Row(
        number=c.number,
        client_id=client_id,
        recorded_on=recorded_on,
        code=code,
        intensity=intensity,
        qualities=qualities,
        complaint=c.get("chief_complaint"),
        ref=_region(c, code),
    )


def _region(c: _Cells, code: int) -> RegionRef | None:
    """The Taut region a row names, which must lie inside the row's CHOIR code; None when it names none."""
    region = c.get("taut_region")
    side_text = c.get("taut_side").lower()
    if not region:
        if side_text:
            raise ExchangeError(c.where("taut_side"), "a side without a taut_region")
        return None
    try:
        side = Side(side_text) if side_text else None
    except ValueError:
        raise ExchangeError(
            c.where("taut_side"), f"must be left, right or empty, not {side_text!r}"
        ) from None
    ref = RegionRef(region, side)
    try:
        PainMark(ref)
    except PainDrawingError as e:
        raise ExchangeError(c.where("taut_region"), str(e)) from None
    codes = choir_code(ref)
    if code not in codes:
        raise ExchangeError(
            c.where("taut_region"),
            f"{ref.key} lies in CHOIR {' and '.join(map(str, codes))}, not in {code}",
        )
    return ref


def _intake(group: _Drawing, name: str, date_column: str) -> ImportedIntake:
    first = group.rows[0]
    complaint = ""
    for row in group.rows:
        if row.recorded_on != first.recorded_on:
            raise ExchangeError(
                f"{name} row {row.number} column {date_column}",
                f"{row.recorded_on} differs from row {first.number} of the same intake ({first.recorded_on})",
            )
        if row.complaint:
            if complaint and row.complaint != complaint:
                raise ExchangeError(
                    f"{name} row {row.number} column chief_complaint",
                    "differs from an earlier row of the same intake",
                )
            complaint = row.complaint
    codes = {row.code for row in group.rows}
    partner = _partners()
    marks: list[PainMark] = []
    for row in group.rows:
        refs: Iterable[RegionRef]
        if row.ref is not None:
            refs = [row.ref]
        else:
            refs = [
                r for r in regions_for_choir(row.code) if r.side is not None or partner[row.code] in codes
            ]
        marks.extend(PainMark(ref, row.intensity, row.qualities) for ref in refs)
    intake = Intake(
        recorded_on=first.recorded_on,
        pain_drawing=PainDrawing.of(marks),
        chief_complaint=complaint or DEFAULT_COMPLAINT,
    )
    where = f"{name} row {first.number}"
    return ImportedIntake(first.client_id, intake, source=where, client_source=f"{where} column client_id")


@dataclass(frozen=True)
class ChoirImport:
    intake_ids: list[int]
    clients: int
    rows: int


def import_drawings(db: Database, user: User, path: Path) -> ChoirImport:
    """Record the drawings of a CHOIR CSV file as new intakes of the user's clinic's clients, all in one
    transaction (a bad row or an unknown client writes nothing)."""
    if not path.is_file():
        raise ExchangeError(str(path), "no such file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ExchangeError(path.name, "not UTF-8 text") from None
    items = read_drawings(text, path.name)
    ids = import_intakes(db, user, items, detail=AUDIT_DETAIL)
    rows = sum(1 for line in csv.reader(io.StringIO(text)) if any(c.strip() for c in line)) - 1
    return ChoirImport(ids, len({i.client_id for i in items}), rows)
