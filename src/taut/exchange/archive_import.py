"""Importing a clinic archive into an empty database: everything is checked first, then every row is written
in one transaction with its original id, or nothing is.

The checks, in order: the file is a zip with a ``manifest.json`` of this format; its schema revision equals
the database's; the database is empty; every file has the size and SHA-256 the manifest gives and nothing
else is in the zip; ``data.json`` holds exactly the tables and columns of this schema; every value parses
as its column's type; ids and unique values are unique; every reference points at a row of the archive.
``data.json`` is the source of truth; the CSV files are checked by their checksums only.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Index, Table, UniqueConstraint, literal, select, text

from taut.exchange.archive import (
    DATA,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    ArchiveSummary,
    Progress,
)
from taut.exchange.codec import ValueProblem, codecs, shown
from taut.exchange.errors import ExchangeError
from taut.exchange.scope import archived_tables
from taut.store import bulk, migrate
from taut.store.engine import Database

Row = dict[str, Any]
BATCH = 5000  # rows written per statement


def import_archive(db: Database, path: Path, *, progress: Progress | None = None) -> ArchiveSummary:
    """Check the archive at ``path`` and write it into the empty database ``db``, all or nothing."""
    revision = migrate.current_revision(db.engine)
    with _open(path) as zf:
        manifest = _manifest(zf)
        _check_revision(manifest["schema_revision"], revision)
        with db.transaction() as conn:
            _require_empty(conn)
        _check_files(zf, manifest)
        rows = _read_data(zf, manifest, progress)
    clinic = manifest["clinic"]
    _check_clinic(rows, clinic["id"])
    _check_keys(rows)
    total = sum(len(r) for r in rows.values())
    done = total
    with db.transaction() as conn:
        _require_empty(conn)
        refused = conn.dialect.loaded_dbapi.Error
        for table in archived_tables():
            ordered = _parents_first(table, rows[table.name])
            for start in range(0, len(ordered), BATCH):
                batch = ordered[start : start + BATCH]
                try:
                    bulk.insert_rows(conn, table, batch)
                except refused as e:  # the whole transaction rolls back
                    reason = (str(e).strip().splitlines() or [type(e).__name__])[0]
                    raise ExchangeError(
                        f"database table {table.name}", f"refused the rows ({reason}); nothing was imported"
                    ) from None
                done += len(batch)
                if progress:
                    progress(done, 2 * total)
            if conn.dialect.name == "postgresql" and ordered:
                # fresh statistics, so the children's foreign-key checks find these rows by index
                conn.execute(text(f"ANALYZE {table.name}"))
        bulk.reset_sequences(conn, [t for t in archived_tables() if "id" in t.c])
    return ArchiveSummary(
        path,
        clinic["id"],
        clinic["name"],
        manifest["schema_revision"],
        {name: len(r) for name, r in rows.items()},
    )


# --- the zip and its manifest ------------------------------------------------------------------------------
def _open(path: Path) -> zipfile.ZipFile:
    if not path.is_file():
        raise ExchangeError(str(path), "no such file")
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ExchangeError(str(path), "not a zip archive (a Taut clinic archive is a .zip file)") from None
    names = zf.namelist()
    if len(names) != len(set(names)):
        zf.close()
        raise ExchangeError(str(path), "holds the same file name twice")
    if MANIFEST not in names:
        zf.close()
        raise ExchangeError(str(path), f"has no {MANIFEST}: not a Taut clinic archive")
    try:
        check_sizes(zf)
    except ExchangeError:
        zf.close()
        raise
    return zf


# What a Taut archive can hold, checked from the zip's directory before anything is extracted (a member
# cannot yield more than its declared size: zipfile stops there and checks the CRC).
MAX_TOTAL_BYTES = 4 * 1024**3  # all members, uncompressed
MAX_MANIFEST_BYTES = 1024**2
MAX_RATIO = 200  # uncompressed : compressed, per member; Taut's JSON and CSV stay far below
RATIO_FROM_BYTES = 1024**2  # tiny members may compress better than that and do no harm


def check_sizes(zf: zipfile.ZipFile) -> None:
    """Refuse a zip whose members together, or any one for its compressed size, expand beyond reason."""
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if info.filename == MANIFEST and info.file_size > MAX_MANIFEST_BYTES:
            raise ExchangeError(MANIFEST, f"is {info.file_size} bytes; a manifest is at most 1 MB")
        if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise ExchangeError(
                info.filename,
                f"expands {ratio}:1 ({info.file_size} bytes from {info.compress_size}); "
                f"a Taut archive stays under {MAX_RATIO}:1 — refused as a zip bomb",
            )
    if total > MAX_TOTAL_BYTES:
        raise ExchangeError(
            "archive", f"expands to {total} bytes, more than the {MAX_TOTAL_BYTES // 1024**3} GB Taut accepts"
        )


def _json(zf: zipfile.ZipFile, name: str) -> Any:
    try:
        return json.loads(zf.read(name))
    except json.JSONDecodeError as e:
        raise ExchangeError(f"{name} line {e.lineno} column {e.colno}", f"not valid JSON ({e.msg})") from None
    except UnicodeDecodeError:
        raise ExchangeError(name, "not UTF-8 text") from None
    except RecursionError:
        raise ExchangeError(name, "is nested too deeply to be a Taut archive") from None
    except (zipfile.BadZipFile, OSError) as e:
        raise ExchangeError(name, f"cannot be read from the zip ({e})") from None


def _field(obj: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = obj.get(key)
    at = f"{where}.{key}" if where else key
    if value is None:
        raise ExchangeError(at, "is missing")
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ExchangeError(at, f"has the wrong type: {shown(value)}")
    return value


def _manifest(zf: zipfile.ZipFile) -> dict[str, Any]:
    m = _json(zf, MANIFEST)
    if not isinstance(m, dict):
        raise ExchangeError(MANIFEST, "must be a JSON object")
    where = MANIFEST
    fmt = m.get("format")
    if fmt != FORMAT:
        raise ExchangeError(f"{where} format", f"{shown(fmt)} is not a Taut clinic archive ({FORMAT!r})")
    version = _field(m, "format_version", int, where)
    if version > FORMAT_VERSION:
        raise ExchangeError(
            f"{where} format_version",
            f"{version} is newer than this Taut reads ({FORMAT_VERSION}); upgrade Taut",
        )
    if version < 1:
        raise ExchangeError(f"{where} format_version", f"{version} is not a format version")
    _field(m, "schema_revision", str, where)
    clinic = _field(m, "clinic", dict, where)
    _field(clinic, "id", int, f"{where} clinic")
    _field(clinic, "name", str, f"{where} clinic")
    expected = {t.name: t for t in archived_tables()}
    seen: set[str] = set()
    for i, entry in enumerate(_field(m, "tables", list, where)):
        at = f"{where} tables[{i}]"
        if not isinstance(entry, dict):
            raise ExchangeError(at, "must be a JSON object")
        name = _field(entry, "name", str, at)
        if name not in expected:
            raise ExchangeError(f"{at}.name", f"unknown table {name!r}")
        if name in seen:
            raise ExchangeError(f"{at}.name", f"table {name!r} is listed twice")
        seen.add(name)
        rows = _field(entry, "rows", int, at)
        if rows < 0:
            raise ExchangeError(f"{at}.rows", f"{rows} is not a row count")
        columns = _field(entry, "columns", list, at)
        known = [c.name for c in expected[name].columns]
        unknown = [c for c in columns if c not in known]
        if unknown:
            raise ExchangeError(f"{at}.columns", f"unknown column {shown(unknown[0])} of table {name}")
        missing = [c for c in known if c not in columns]
        if missing:
            raise ExchangeError(f"{at}.columns", f"column {missing[0]!r} of table {name} is missing")
    absent = [name for name in expected if name not in seen]
    if absent:
        raise ExchangeError(f"{where} tables", f"table {absent[0]!r} is missing")
    files = _field(m, "files", list, where)
    for i, entry in enumerate(files):
        at = f"{where} files[{i}]"
        if not isinstance(entry, dict):
            raise ExchangeError(at, "must be a JSON object")
        _field(entry, "path", str, at)
        _field(entry, "bytes", int, at)
        _field(entry, "sha256", str, at)
    if DATA not in {f["path"] for f in files}:
        raise ExchangeError(f"{where} files", f"{DATA} is not listed")
    return m


def _check_revision(archived: str, current: str | None) -> None:
    order = [s.revision for s in ScriptDirectory.from_config(migrate.alembic_config()).walk_revisions()]
    where = f"{MANIFEST} schema_revision"
    if archived not in order:
        raise ExchangeError(
            where,
            f"the archive comes from schema revision {archived!r}, which this Taut does not know; "
            "upgrade Taut",
        )
    if current is None:
        raise ExchangeError(
            "database", f"has no Taut schema yet; run `taut db upgrade {archived}` first, then import"
        )
    if archived != current:
        verb = "downgrade" if order.index(archived) > order.index(current) else "upgrade"
        raise ExchangeError(
            where,
            f"the archive is at schema revision {archived}, the database at {current}: migrate the empty "
            f"database with `taut db {verb} {archived}`, import, then run `taut db upgrade`",
        )


def _require_empty(conn: Connection) -> None:
    used = [
        t.name
        for t in archived_tables()
        if conn.execute(select(literal(1)).select_from(t).limit(1)).first() is not None
    ]
    if used:
        raise ExchangeError(
            "database",
            f"is not empty (it holds {', '.join(used[:3])}{', ...' if len(used) > 3 else ''}); "
            "a clinic archive is imported into a new, empty database",
        )


def _check_files(zf: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
    listed = {}
    for i, entry in enumerate(manifest["files"]):
        name = entry["path"]
        where = f"{MANIFEST} files[{i}]"
        if name in listed or name == MANIFEST:
            raise ExchangeError(f"{where}.path", f"{name!r} cannot be listed here")
        listed[name] = entry
        try:
            info = zf.getinfo(name)
        except KeyError:
            raise ExchangeError(name, "is listed in the manifest but missing from the archive") from None
        if info.file_size != entry["bytes"]:
            raise ExchangeError(
                name, f"has {info.file_size} bytes, the manifest says {entry['bytes']} (the file was changed)"
            )
        sha = hashlib.sha256()
        try:
            with zf.open(info) as f:
                while block := f.read(1 << 20):
                    sha.update(block)
        except (zipfile.BadZipFile, OSError) as e:
            raise ExchangeError(name, f"cannot be read from the zip ({e})") from None
        if sha.hexdigest() != entry["sha256"].lower():
            raise ExchangeError(
                name, "its SHA-256 checksum does not match the manifest (the file was changed)"
            )
    extra = [n for n in zf.namelist() if n not in listed and n != MANIFEST and not n.endswith("/")]
    if extra:
        raise ExchangeError(extra[0], "is in the archive but not listed in the manifest")


# --- data.json -------------------------------------------------------------------------------------------
def _read_data(
    zf: zipfile.ZipFile, manifest: dict[str, Any], progress: Progress | None
) -> dict[str, list[Row]]:
    data = _json(zf, DATA)
    if not isinstance(data, dict) or not isinstance(data.get("tables"), dict):
        raise ExchangeError(DATA, 'must be a JSON object {"tables": {...}}')
    tables = data["tables"]
    counts = {t["name"]: t["rows"] for t in manifest["tables"]}
    for name in tables:
        if name not in counts:
            raise ExchangeError(f"{DATA} tables.{name}", "unknown table")
    total = sum(counts.values())
    done = 0
    out: dict[str, list[Row]] = {}
    for table in archived_tables():
        where = f"{DATA} tables.{table.name}"
        rows = tables.get(table.name)
        if not isinstance(rows, list):
            raise ExchangeError(where, "is missing" if rows is None else "must be a list of rows")
        if len(rows) != counts[table.name]:
            raise ExchangeError(where, f"has {len(rows)} rows, the manifest says {counts[table.name]}")
        cols = codecs(table)
        names = {c.name for c in cols}
        decoded = []
        for i, row in enumerate(rows):
            at = f"{where}[{i}]"
            if not isinstance(row, dict):
                raise ExchangeError(at, "must be a JSON object")
            if len(row) != len(cols) or row.keys() != names:
                unknown = [k for k in row if k not in names]
                if unknown:
                    raise ExchangeError(f"{at}.{unknown[0]}", "unknown column")
                missing = next(c.name for c in cols if c.name not in row)
                raise ExchangeError(f"{at}.{missing}", "is missing")
            values: Row = {}
            for c in cols:
                try:
                    values[c.name] = c.from_json(row[c.name])
                except ValueProblem as e:
                    raise ExchangeError(f"{at}.{c.name}", str(e)) from None
            decoded.append(values)
        out[table.name] = decoded
        done += len(rows)
        if progress:
            progress(done, 2 * total)
    return out


def _check_clinic(rows: dict[str, list[Row]], clinic_id: int) -> None:
    ids = [r["id"] for r in rows["clinics"]]
    if ids != [clinic_id]:
        raise ExchangeError(
            f"{DATA} tables.clinics",
            f"must hold exactly the clinic of the manifest (id {clinic_id}), not {ids}",
        )


def _named(columns: tuple[str, ...]) -> str:
    """The column a repeat is reported at: the last one that is not the clinic (all rows share it)."""
    return next((c for c in reversed(columns) if c != "clinic_id"), columns[-1])


def _check_keys(rows: dict[str, list[Row]]) -> None:
    """Primary keys and unique values are unique; every reference points at a row of the archive."""
    index: dict[tuple[str, tuple[str, ...]], dict[tuple[Any, ...], int]] = {}

    def keys(table: Table, columns: tuple[str, ...]) -> dict[tuple[Any, ...], int]:
        """(values of ``columns``) -> row number, for every row without NULL in them; repeats raise."""
        found = index.get((table.name, columns))
        if found is None:
            found = {}
            for i, r in enumerate(rows[table.name]):
                key = tuple(r[c] for c in columns)
                if None in key:
                    continue
                if key in found:
                    shown_key = key[0] if len(key) == 1 else key
                    raise ExchangeError(
                        f"{DATA} tables.{table.name}[{i}].{_named(columns)}",
                        f"{shown_key} repeats tables.{table.name}[{found[key]}] "
                        f"({', '.join(columns)} must be unique)",
                    )
                found[key] = i
            index[(table.name, columns)] = found
        return found

    for table in archived_tables():
        pk = tuple(c.name for c in table.primary_key.columns)
        keys(table, pk)
        unique = [
            tuple(c.name for c in u.columns) for u in table.constraints if isinstance(u, UniqueConstraint)
        ]
        unique += [
            tuple(c.name for c in ix.columns) for ix in table.indexes if isinstance(ix, Index) and ix.unique
        ]
        for columns in unique:
            if not set(pk) <= set(columns):  # a set of columns holding the primary key is unique already
                keys(table, columns)
        for fk in table.foreign_key_constraints:
            local = tuple(fk.column_keys)
            parent = fk.referred_table
            remote = tuple(e.column.name for e in fk.elements)
            targets = keys(parent, remote)
            for i, r in enumerate(rows[table.name]):
                key = tuple(r[c] for c in local)
                if None in key or key in targets:
                    continue
                shown_key = key[0] if len(key) == 1 else key
                raise ExchangeError(
                    f"{DATA} tables.{table.name}[{i}].{local[-1]}",
                    f"refers to {parent.name} {', '.join(remote)} = {shown_key}, which is not in the archive",
                )


def _parents_first(table: Table, rows: list[Row]) -> list[Row]:
    """The rows in id order, except that a row referring to another row of the same table comes after it
    (SQLite checks each reference as the row is written)."""
    own = [
        (tuple(fk.column_keys), tuple(e.column.name for e in fk.elements))
        for fk in table.foreign_key_constraints
        if fk.referred_table is table
    ]
    if not own:
        return rows
    children: dict[int, list[int]] = defaultdict(list)
    waiting = [0] * len(rows)
    for local, remote in own:
        where = {tuple(r[c] for c in remote): i for i, r in enumerate(rows)}
        for i, r in enumerate(rows):
            key = tuple(r[c] for c in local)
            j = where.get(key, i) if None not in key else i
            if j != i:
                children[j].append(i)
                waiting[i] += 1
    ready = [i for i in range(len(rows)) if waiting[i] == 0]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        i = heapq.heappop(ready)
        order.append(i)
        for k in children[i]:
            waiting[k] -= 1
            if waiting[k] == 0:
                heapq.heappush(ready, k)
    if len(order) != len(rows):
        stuck = next(i for i in range(len(rows)) if waiting[i])
        raise ExchangeError(f"{DATA} tables.{table.name}[{stuck}]", "its references go round in a circle")
    return [rows[i] for i in order]
