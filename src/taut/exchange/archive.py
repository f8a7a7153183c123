"""The clinic archive: every record of one clinic in a zip file that any tool can read.

    manifest.json      what the archive is: format and version, Taut schema revision, when and by whom it
                       was made, the clinic, each table with its columns and row count, each file's SHA-256
    data.json          {"tables": {"clinics": [{column: value, ...}, ...], "users": [...], ...}}
                       the source of truth for an import; tables in foreign-key order, rows by id
    csv/<table>.csv    the same rows, one CSV file per table (header = the columns), for people and spreadsheets:
                       a text cell that a spreadsheet would run as a formula (it begins with = + - @, a tab or
                       a carriage return) is written with a leading apostrophe; secrets (password hashes and
                       any other column named for a password, secret or token) are left out of the CSV files;
                       ``bom=True`` starts each file with a UTF-8 byte order mark so spreadsheets show accents
    csv/data-dictionary.csv
                       every table and column of the CSV files: its type, whether it may be empty, its keys
                       (primary, unique, the table and column a foreign key points to) and what it holds

Exporting is the owner's (``Permission.MANAGE_USERS``): the archive holds the clinic's users with their
password hashes (so that an import gives the same data and the same sign-ins), the audit trail and every
clinical record. It must be kept as safe as the database itself. The rows are read in one consistent
snapshot; the export is audited in the source database after the file is written.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata as package_metadata
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, func, select

from taut.clinic.people import Permission, User
from taut.exchange.codec import codecs
from taut.exchange.errors import ExchangeError
from taut.exchange.files import atomic_target
from taut.exchange.scope import Scoped, clinic_scope, left_out
from taut.services import access
from taut.store import migrate
from taut.store.engine import Database

FORMAT = "taut-clinic-archive"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "data.json"
CSV_DIR = "csv"
CHUNK = 2000  # rows read and written at a time
DICTIONARY = f"{CSV_DIR}/data-dictionary.csv"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet runs such a cell as a formula
SECRET = re.compile(r"password|secret|token")
BOM = "\ufeff"

Progress = Callable[[int, int], None]  # (rows done, rows in all)


@dataclass(frozen=True)
class ArchiveSummary:
    path: Path
    clinic_id: int
    clinic_name: str
    schema_revision: str
    rows: dict[str, int]  # table -> rows

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def csv_path(table: str) -> str:
    return f"{CSV_DIR}/{table}.csv"


def taut_version() -> str:
    try:
        return package_metadata.version("taut")
    except package_metadata.PackageNotFoundError:
        return "unknown"


def in_csv(table: str, column: str) -> bool:
    """Whether a column goes into the CSV files (secrets stay in data.json only, for an import)."""
    return SECRET.search(column) is None


def csv_cell(value: Any) -> Any:
    """A text cell as the CSV files hold it: one a spreadsheet would run as a formula gets a leading
    apostrophe (shown as text by every spreadsheet); anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(cell: str) -> str:
    """The text of a CSV cell written by ``csv_cell`` (for a program reading the CSV files)."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


def export_clinic(
    db: Database,
    user: User,
    path: Path,
    *,
    replace: bool = False,
    progress: Progress | None = None,
    bom: bool = False,
) -> ArchiveSummary:
    """Write the user's whole clinic to the zip file ``path`` (owners only). The file appears only when
    complete: it is written beside ``path`` and renamed at the end. ``bom``: start each CSV file with a UTF-8
    byte order mark (spreadsheets then read it as UTF-8 and show accents)."""
    access.require(db, user, Permission.MANAGE_USERS, entity="clinic", record_id=user.clinic_id)
    revision = migrate.current_revision(db.engine)
    if revision is None:
        raise ExchangeError("database", "has no Taut schema (run `taut db upgrade`)")
    with atomic_target(path, replace=replace) as part:
        with _snapshot(db) as conn:
            summary = _write(conn, user, part, path, revision, progress, bom)
        with db.transaction() as conn:
            access.log(
                conn, user, "export", "clinic", user.clinic_id, detail=f"archive of {summary.total} rows"
            )
    return summary


@contextmanager
def _snapshot(db: Database) -> Iterator[Connection]:
    """A read-only connection that sees one consistent state of the database from start to end."""
    with db.engine.connect() as conn:
        if db.dialect == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        else:
            # The connection begins a (deferred) transaction; its first read fixes the snapshot (WAL).
            conn.exec_driver_sql("SELECT count(*) FROM sqlite_master")
        try:
            yield conn
        finally:
            conn.rollback()


class _Sink:
    """Writes text to a binary file as UTF-8 while counting its bytes and its SHA-256."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha = hashlib.sha256()
        self.size = 0

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self.sha.update(data)
        self.size += len(data)
        self.raw.write(data)

    def entry(self, name: str) -> dict[str, Any]:
        return {"path": name, "bytes": self.size, "sha256": self.sha.hexdigest()}


def _write(
    conn: Connection,
    user: User,
    part: Path,
    path: Path,
    revision: str,
    progress: Progress | None,
    bom: bool = False,
) -> ArchiveSummary:
    scope = clinic_scope(user.clinic_id)
    counts = {
        s.table.name: int(conn.execute(select(func.count()).select_from(s.table).where(s.where)).scalar_one())
        for s in scope
    }
    clinic = next(s for s in scope if s.table.name == "clinics")
    name_row = conn.execute(select(clinic.table.c.name).where(clinic.where)).first()
    if name_row is None:
        raise ExchangeError("database", f"clinic {user.clinic_id} not found")
    total = sum(counts.values())
    done = 0

    def tick(rows: int) -> None:
        nonlocal done
        done += rows
        if progress:
            progress(done, total)

    files: list[dict[str, Any]] = []
    with (
        zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf,
        tempfile.TemporaryFile() as data_tmp,
    ):
        data = _Sink(data_tmp)
        data.write('{"tables": {')
        for n, s in enumerate(scope):
            data.write(f'{"," if n else ""}\n"{s.table.name}": [')
            files.append(_write_table(conn, zf, data, s, bom, tick))
        data.write("\n}}\n")
        with zf.open(_member(DICTIONARY), "w") as member:
            sheet = _Sink(member)
            sheet.write((BOM if bom else "") + data_dictionary([s.table for s in scope]))
        files.append(sheet.entry(DICTIONARY))
        data_tmp.seek(0)
        with zf.open(_member(DATA), "w", force_zip64=True) as member:
            shutil.copyfileobj(data_tmp, member, 1 << 20)
        files.insert(0, data.entry(DATA))
        manifest = _manifest(user, name_row.name, revision, bom, scope, counts, files)
        zf.writestr(_member(MANIFEST), json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return ArchiveSummary(path, user.clinic_id, name_row.name, revision, counts)


def _write_table(
    conn: Connection,
    zf: zipfile.ZipFile,
    data: _Sink,
    s: Scoped,
    bom: bool,
    tick: Callable[[int], None],
) -> dict[str, Any]:
    """One table of the clinic's scope ``s``: its rows into the JSON data (after the opening ``[`` the caller
    wrote) and into its CSV member, read in chunks; returns the CSV member's entry of the manifest."""
    cols = codecs(s.table)
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    with zf.open(_member(csv_path(s.table.name)), "w", force_zip64=True) as member:
        sheet = _Sink(member)
        shown = [i for i, c in enumerate(cols) if in_csv(s.table.name, c.name)]
        texts = [i for i in shown if cols[i].kind in ("text", "json")]
        sheet.write((BOM if bom else "") + _csv_line([cols[i].name for i in shown]))
        stmt = select(s.table).where(s.where).order_by(*s.table.primary_key.columns)
        first = True
        names = [c.name for c in cols]
        as_json = [(i, f) for i, c in enumerate(cols) if (f := c.json_writer()) is not None]
        as_text = [(i, f) for i, c in enumerate(cols) if (f := c.text_writer()) is not None]
        for chunk in conn.execute(stmt.execution_options(yield_per=CHUNK)).partitions():
            json_rows = []
            buf = io.StringIO()
            out = csv.writer(buf)
            for row in chunk:
                values = list(row)
                cells = list(values)
                for i, f in as_json:
                    values[i] = f(values[i])
                json_rows.append(encode(dict(zip(names, values, strict=True))))
                for i, f in as_text:
                    cells[i] = f(cells[i])
                for i in texts:
                    cells[i] = csv_cell(cells[i])
                out.writerow([cells[i] for i in shown])
            data.write(("\n" if first else ",\n") + ",\n".join(json_rows))
            sheet.write(buf.getvalue())
            first = False
            tick(len(chunk))
    data.write("\n]" if not first else "]")
    return sheet.entry(csv_path(s.table.name))


def _manifest(
    user: User,
    clinic_name: str,
    revision: str,
    bom: bool,
    scope: list[Scoped],
    counts: dict[str, int],
    files: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_revision": revision,
        "taut_version": taut_version(),
        "created_at": datetime.now(UTC).isoformat(),
        "created_by": user.email,
        "clinic": {"id": user.clinic_id, "name": clinic_name},
        "contains": "every record of the clinic, its users with their password hashes, the audit trail",
        "csv": {
            "byte_order_mark": bom,
            "formula_cells": "a text cell beginning with = + - @, a tab or a carriage return begins with '",
            "left_out": sorted(
                f"{s.table.name}.{c.name}"
                for s in scope
                for c in s.table.columns
                if not in_csv(s.table.name, c.name)
            ),
            "dictionary": DICTIONARY,
        },
        "tables": [
            {
                "name": s.table.name,
                "rows": counts[s.table.name],
                "columns": [c.name for c in s.table.columns],
            }
            for s in scope
        ],
        "left_out": left_out(),
        "files": files,
    }


def _member(name: str) -> zipfile.ZipInfo:
    """A compressed zip entry stamped with the current time (UTC)."""
    info = zipfile.ZipInfo(name, date_time=datetime.now(UTC).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _csv_line(cells: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerow(cells)
    return buf.getvalue()


KIND_NAMES = {
    "int": "whole number",
    "float": "decimal number",
    "text": "text",
    "bool": "true or false",
    "date": "date (YYYY-MM-DD)",
    "datetime": "date and time in UTC (ISO 8601, e.g. 2025-03-03T14:00:00+00:00)",
    "json": "JSON",
}


def _refers_to(column: Any) -> list[str]:
    """The columns a column refers to; ``clinic_id`` is in every reference between clinic tables, so it is
    shown referring to the clinic only."""
    return sorted(
        f"{fk.column.table.name}.{fk.column.name}"
        for fk in column.foreign_keys
        if column.name != "clinic_id" or fk.column.table.name == "clinics"
    )


def data_dictionary(tables: list[Any]) -> str:
    """The data dictionary of the CSV files: one line per column (table, column, type, may be empty, key,
    refers to, notes)."""
    from taut.exchange.codec import codec

    rows = [["table", "column", "type", "may_be_empty", "key", "refers_to", "notes"]]
    for table in tables:
        unique = {
            c.name
            for con in table.constraints
            if con.__class__.__name__ == "UniqueConstraint" and len(con.columns) == 1
            for c in con.columns
        }
        # unique together with the clinic (e.g. a user's e-mail is unique within its clinic)
        per_clinic = {
            c.name
            for con in table.constraints
            if con.__class__.__name__ == "UniqueConstraint"
            and len(con.columns) == 2
            and "clinic_id" in con.columns
            for c in con.columns
            if c.name != "clinic_id" and c.name != "id"
        }
        for column in table.columns:
            if not in_csv(table.name, column.name):
                continue
            k = codec(column)
            kind = KIND_NAMES[k.kind]
            if k.kind == "text" and k.max_len:
                kind += f" (at most {k.max_len} characters)"
            keys = []
            if column.primary_key:
                keys.append("primary key")
            if column.unique or column.name in unique:
                keys.append("unique")
            elif column.name in per_clinic:
                keys.append("unique within its clinic")
            refers = _refers_to(column)
            notes = []
            if k.kind in ("text", "json"):
                notes.append("a cell beginning with = + - @ is written with a leading '")
            if column.comment:
                notes.append(column.comment)
            rows.append(
                [
                    table.name,
                    column.name,
                    kind,
                    "yes" if column.nullable else "no",
                    ", ".join(keys),
                    ", ".join(refers),
                    "; ".join(notes),
                ]
            )
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue()
