"""The clinic archive: every record of one clinic in a zip file that any tool can read.

    manifest.json      what the archive is: format and version, Taut schema revision, when and by whom it
                       was made, the clinic, each table with its columns and row count, each file's SHA-256
    data.json          {"tables": {"clinics": [{column: value, ...}, ...], "users": [...], ...}}
                       the source of truth for an import; tables in foreign-key order, rows by id
    csv/<table>.csv    the same rows, one CSV file per table (header = the columns), for people and spreadsheets

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
from taut.exchange.scope import clinic_scope, left_out
from taut.services import access
from taut.store import migrate
from taut.store.engine import Database

FORMAT = "taut-clinic-archive"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "data.json"
CSV_DIR = "csv"
CHUNK = 2000  # rows read and written at a time

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


def export_clinic(
    db: Database, user: User, path: Path, *, replace: bool = False, progress: Progress | None = None
) -> ArchiveSummary:
    """Write the user's whole clinic to the zip file ``path`` (owners only). The file appears only when
    complete: it is written beside ``path`` and renamed at the end."""
    access.require(db, user, Permission.MANAGE_USERS, entity="clinic", record_id=user.clinic_id)
    revision = migrate.current_revision(db.engine)
    if revision is None:
        raise ExchangeError("database", "has no Taut schema (run `taut db upgrade`)")
    with atomic_target(path, replace=replace) as part:
        with _snapshot(db) as conn:
            summary = _write(conn, user, part, path, revision, progress)
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
    conn: Connection, user: User, part: Path, path: Path, revision: str, progress: Progress | None
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
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    files: list[dict[str, Any]] = []
    with (
        zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf,
        tempfile.TemporaryFile() as data_tmp,
    ):
        data = _Sink(data_tmp)
        data.write('{"tables": {')
        for n, s in enumerate(scope):
            cols = codecs(s.table)
            data.write(f'{"," if n else ""}\n"{s.table.name}": [')
            with zf.open(_member(csv_path(s.table.name)), "w", force_zip64=True) as member:
                sheet = _Sink(member)
                sheet.write(_csv_line([c.name for c in cols]))
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
                        out.writerow(cells)
                    data.write(("\n" if first else ",\n") + ",\n".join(json_rows))
                    sheet.write(buf.getvalue())
                    first = False
                    done += len(chunk)
                    if progress:
                        progress(done, total)
            files.append(sheet.entry(csv_path(s.table.name)))
            data.write("\n]" if not first else "]")
        data.write("\n}}\n")
        data_tmp.seek(0)
        with zf.open(_member(DATA), "w", force_zip64=True) as member:
            shutil.copyfileobj(data_tmp, member, 1 << 20)
        files.insert(0, data.entry(DATA))
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "schema_revision": revision,
            "taut_version": taut_version(),
            "created_at": datetime.now(UTC).isoformat(),
            "created_by": user.email,
            "clinic": {"id": user.clinic_id, "name": name_row.name},
            "contains": "every record of the clinic, its users with their password hashes, the audit trail",
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
        zf.writestr(_member(MANIFEST), json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return ArchiveSummary(path, user.clinic_id, name_row.name, revision, counts)


def _member(name: str) -> zipfile.ZipInfo:
    """A compressed zip entry stamped with the current time (UTC)."""
    info = zipfile.ZipInfo(name, date_time=datetime.now(UTC).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _csv_line(cells: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerow(cells)
    return buf.getvalue()
