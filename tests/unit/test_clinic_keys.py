"""The schema is ready to be distributed by clinic (Citus, issue #14): every clinic table's primary key, unique
constraints, unique indexes and foreign keys include ``clinic_id`` (docs/scaling.md, "Distributing by clinic").
Walks the tables in code; the migrated databases are held to the same tables by test_records_migrations."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, ForeignKeyConstraint, Index, Table, UniqueConstraint
from sqlalchemy.dialects import postgresql, sqlite

from taut.store import tables
from taut.store.ids import NextId

# Reference tables: no clinic's data, copied to every node on Citus (create_reference_table). A foreign key to
# one of them needs no ``clinic_id``.
REFERENCE_TABLES = {
    "clinics",  # the tenants themselves: every clinic table points at its clinic
    "taut_meta",  # the install's marker and stored secret key
    "login_throttle",  # failed sign-ins per e-mail address and per client address, before any clinic is known
}

# Install-wide tables: rows of a clinic and rows of none (``clinic_id`` may be empty), so not distributed; on
# Citus they stay on the coordinator. Their key is ``id`` alone; a foreign key into a clinic table still goes
# through ``clinic_id`` (there is no other key to point at).
INSTALL_WIDE_TABLES = {
    "audit_log",  # a throttled sign-in of an unknown address belongs to no clinic
    "mail_outbox",  # ``taut mail test`` sends a message of the install itself
}

CLINIC_TABLES = sorted(set(tables.metadata.tables) - REFERENCE_TABLES - INSTALL_WIDE_TABLES)


def _table(name: str) -> Table:
    return tables.metadata.tables[name]


def test_every_listed_table_exists_and_every_table_is_classified() -> None:
    assert set(tables.metadata.tables) >= REFERENCE_TABLES | INSTALL_WIDE_TABLES
    assert len(CLINIC_TABLES) >= 25
    for name in REFERENCE_TABLES:
        assert "clinic_id" not in _table(name).c, f"{name} holds a clinic's rows: not a reference table"


@pytest.mark.parametrize("name", CLINIC_TABLES)
def test_a_clinic_table_has_a_required_clinic_id_in_its_primary_key(name: str) -> None:
    table = _table(name)
    assert "clinic_id" in table.c, f"{name}: a clinic table needs clinic_id (or belongs in a list above)"
    assert not table.c.clinic_id.nullable, f"{name}.clinic_id may be empty"
    assert "clinic_id" in table.primary_key.columns, f"{name}: primary key without clinic_id"


@pytest.mark.parametrize("name", CLINIC_TABLES)
def test_every_unique_constraint_and_unique_index_of_a_clinic_table_includes_clinic_id(name: str) -> None:
    table = _table(name)
    uniques: list[UniqueConstraint | Index] = [
        c for c in table.constraints if isinstance(c, UniqueConstraint)
    ]
    uniques += [i for i in table.indexes if i.unique]
    uniques += [c for c in table.columns if c.unique]  # type: ignore[misc]  # unique=True on a column
    for unique in uniques:
        columns = {c.name for c in unique.columns} if not isinstance(unique, Column) else {unique.name}
        assert "clinic_id" in columns, f"{name}: unique {sorted(columns)} without clinic_id"


def _through_the_clinic(fk: ForeignKeyConstraint) -> bool:
    """The foreign key pairs this table's clinic_id with the referred table's clinic_id."""
    return any(e.parent.name == "clinic_id" and e.column.name == "clinic_id" for e in fk.elements)


@pytest.mark.parametrize("name", CLINIC_TABLES + sorted(INSTALL_WIDE_TABLES))
def test_every_foreign_key_into_a_clinic_table_goes_through_clinic_id(name: str) -> None:
    for fk in _table(name).foreign_key_constraints:
        if fk.referred_table.name in REFERENCE_TABLES:
            continue
        assert fk.referred_table.name not in INSTALL_WIDE_TABLES, f"{name}: points into an install-wide table"
        cols = [c.name for c in fk.columns]
        assert _through_the_clinic(fk), (
            f"{name}: foreign key {cols} -> {fk.referred_table.name} misses clinic_id"
        )


@pytest.mark.parametrize("name", [n for n in CLINIC_TABLES if isinstance(_table(n).c.get("id"), Column)])
def test_a_clinic_table_numbers_its_rows_itself(name: str) -> None:
    """An integer ``id`` in a two-column key is numbered by NextId on both databases (SQLite would not)."""
    column = _table(name).c.id
    if column.type.python_type is str:
        assert column.default is None  # a token the application makes (web_sessions)
        return
    assert column.default is not None and isinstance(column.default.arg, NextId)  # type: ignore[attr-defined]
    assert column.default.arg.table == name  # type: ignore[attr-defined]


def test_next_id_renders_per_database() -> None:
    insert = tables.holds.insert().values(clinic_id=1)
    assert "nextval('holds_id_seq')" in str(insert.compile(dialect=postgresql.dialect()))
    assert "coalesce((SELECT max(id) FROM holds), 0) + 1" in str(insert.compile(dialect=sqlite.dialect()))
    with pytest.raises(ValueError, match="not a table name"):
        NextId("holds; DROP TABLE holds")
