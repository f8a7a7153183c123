"""Which tables a clinic's archive holds, in foreign-key order, and how each selects one clinic's rows.

Worked out from ``taut.store.tables.metadata``, so a new table is included without code here:

- ``clinics``: the clinic itself;
- a table with a ``clinic_id`` column: that clinic's rows;
- a table without one that refers to a table above (a foreign key): the rows that refer to this clinic's;
- any other table holds no clinic's data (``taut_meta``, the schema marker the migrations write) and is left
  out, and the manifest says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Table, select

from taut.store.tables import metadata


@dataclass(frozen=True)
class Scoped:
    table: Table
    where: ColumnElement[bool]


def archived_tables() -> list[Table]:
    """The tables an archive holds, parents before children."""
    return [s.table for s in clinic_scope(0)]


def left_out() -> list[str]:
    """Tables that hold no clinic's data and are not archived."""
    kept = {t.name for t in archived_tables()}
    return [t.name for t in metadata.sorted_tables if t.name not in kept]


# Sign-in state, not the clinic's data: sessions end and throttling counts restart on another install.
NOT_ARCHIVED = frozenset({"web_sessions", "login_throttle"})


def clinic_scope(clinic_id: int) -> list[Scoped]:
    """Each archived table with the condition that selects the clinic's rows, parents first."""
    where: dict[str, ColumnElement[bool]] = {}
    out = []
    for t in metadata.sorted_tables:
        if t.name in NOT_ARCHIVED:
            continue
        rule = _rule(t, where, clinic_id)
        if rule is not None:
            where[t.name] = rule
            out.append(Scoped(t, rule))
    return out


def _rule(table: Table, scoped: dict[str, ColumnElement[bool]], clinic_id: int) -> ColumnElement[bool] | None:
    if table.name == "clinics":
        return table.c.id == clinic_id
    if "clinic_id" in table.c:
        return table.c.clinic_id == clinic_id
    for fk in sorted(table.foreign_keys, key=lambda k: k.parent.name):
        parent = fk.column.table.name
        if parent in scoped:
            return fk.parent.in_(select(fk.column).where(scoped[parent]))
    return None
