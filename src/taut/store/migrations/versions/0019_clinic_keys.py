"""Clinic keys: every clinic table's primary key, unique constraints and foreign keys include clinic_id

Ready for Citus to distribute by clinic (docs/scaling.md). Primary keys become ``(id, clinic_id)`` (``user_id``
for practitioner profiles); every reference to a user becomes ``(clinic_id, x) -> users (clinic_id, id)``; the
single-column unique constraints take ``clinic_id`` in; on PostgreSQL the appointment overlap exclusions compare
``clinic_id`` too. The data is kept; ids keep their values (new ones: store/ids.py).

SQLite rebuilds each table (batch mode, with foreign keys off for the run: store/migrate.py) and puts back the
triggers the rebuild drops; PostgreSQL alters the constraints in place.

Revision ID: 0019
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import warnings
from typing import Any

from alembic import op
from sqlalchemy import text
from sqlalchemy.exc import SAWarning

revision = "0019"
down_revision = "0017"
branch_labels = None
depends_on = None

# The tables whose primary key gains clinic_id, with the column that was the key alone.
KEYS = {
    t: "id"
    for t in [
        *("users", "clients", "intakes", "assessments", "trp_findings", "rom_measurements", "plans"),
        *("treatment_sessions", "holds", "checkins", "outcome_measures", "notes", "screening_decisions"),
        *("medical_clearances", "rooms", "appointment_types", "working_hours", "schedule_exceptions"),
        *("appointments", "payments", "waitlist", "reminders_sent", "web_sessions", "recovery_codes"),
        *("portal_invitations", "portal_submissions"),
        *("record_amendments", "signed_consents", "online_bookings", "booking_codes"),
    ]
} | {"practitioner_profiles": "user_id"}

# The references to a user, by table (single-column foreign keys to users.id before this revision).
USER_REFS = {
    "intakes": ("recorded_by",),
    "assessments": ("recorded_by",),
    "plans": ("created_by",),
    "treatment_sessions": ("practitioner_id",),
    "checkins": ("recorded_by",),
    "outcome_measures": ("recorded_by",),
    "notes": ("author_id", "signed_by"),
    "screening_decisions": ("decided_by",),
    "medical_clearances": ("recorded_by",),
    "audit_log": ("user_id",),
    "practitioner_profiles": ("user_id",),
    "working_hours": ("practitioner_id",),
    "schedule_exceptions": ("practitioner_id",),
    "appointments": ("practitioner_id", "booked_by"),
    "payments": ("taken_by",),
    "waitlist": ("practitioner_id", "offered_practitioner_id"),
    "web_sessions": ("user_id",),
    "recovery_codes": ("user_id",),
    "portal_invitations": ("created_by",),
    "portal_submissions": ("reviewed_by",),
    "record_amendments": ("amended_by",),
}

# Unique constraints: the columns before, the columns after.
UNIQUES: dict[str, tuple[list[str], list[str]]] = {
    "checkins": (["session_id"], ["clinic_id", "session_id"]),
    "portal_submissions": (["invitation_id"], ["clinic_id", "invitation_id"]),
    "reminders_sent": (["appointment_id", "hours_before"], ["clinic_id", "appointment_id", "hours_before"]),
    "practitioner_profiles": (["feed_token"], ["feed_token", "clinic_id"]),
}

BLOCKING = "('booked', 'arrived', 'in_session', 'attended', 'no_show')"
OVERLAPS = (("practitioner", "practitioner_id"), ("room", "room_id"))


def _uq(table: str, columns: list[str]) -> str:
    return f"uq_{table}_{'_'.join(columns)}"


def _user_fk(table: str, column: str, composite: bool) -> tuple[str, list[str], list[str]]:
    """The name, local and referred columns of a reference to a user, after (composite) or before."""
    if composite:
        return f"fk_{table}_clinic_id_{column}_users", ["clinic_id", column], ["clinic_id", "id"]
    return f"fk_{table}_{column}_users", [column], ["id"]


def upgrade() -> None:
    _refuse_references_into_other_clinics()
    _convert(up=True)


def _refuse_references_into_other_clinics() -> None:
    """A row naming a user of another clinic cannot be kept under the new keys: say where, change nothing."""
    conn = op.get_bind()
    for table, columns in USER_REFS.items():
        for column in columns:
            stray = conn.execute(
                text(
                    f"SELECT count(*) FROM {table} x WHERE x.{column} IS NOT NULL AND x.clinic_id IS NOT NULL "
                    f"AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = x.{column} AND u.clinic_id = x.clinic_id)"
                )
            ).scalar_one()
            if stray:
                raise ValueError(
                    f"{table}.{column}: {stray} row(s) name a user of another clinic; "
                    "correct them before upgrading (nothing was changed)"
                )


def downgrade() -> None:
    _convert(up=False)


def _convert(up: bool) -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in sorted(set(KEYS) | set(USER_REFS) | set(UNIQUES)):
            _rebuild_sqlite(table, up)
    else:
        _alter_postgresql(up)


def _rebuild_sqlite(table: str, up: bool) -> None:
    """One table rebuilt with its new key, references and unique constraints; its triggers put back."""
    conn = op.get_bind()
    triggers = conn.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"), {"t": table}
    ).scalars()
    kept = list(triggers)
    with warnings.catch_warnings():
        # The copy's reflected columns still say which was the key alone; the new key wins (as intended).
        warnings.filterwarnings("ignore", "Table '_alembic_tmp_.*primary_key=True", SAWarning)
        with op.batch_alter_table(table, recreate="always") as batch:
            _swap_constraints(batch, table, up)
    for sql in kept:
        conn.exec_driver_sql(sql)


def _swap_constraints(ops: Any, table: str, up: bool) -> None:
    """The changes of one table, made in its SQLite batch (PostgreSQL: _alter_postgresql, in dependency order)."""
    if table in KEYS:
        key = [KEYS[table], "clinic_id"] if up else [KEYS[table]]
        ops.create_primary_key(f"pk_{table}", key)
    for column in USER_REFS.get(table, ()):
        old, new = _user_fk(table, column, composite=not up), _user_fk(table, column, composite=up)
        ops.drop_constraint(old[0], type_="foreignkey")
        ops.create_foreign_key(new[0], "users", new[1], new[2])
    if table in UNIQUES:
        before, after = UNIQUES[table] if up else UNIQUES[table][::-1]
        ops.drop_constraint(_uq(table, before), type_="unique")
        ops.create_unique_constraint(_uq(table, after), after)


def _alter_postgresql(up: bool) -> None:
    """In place, in the order the constraints depend on each other: the references to users go first (they
    lean on the users' key), then every key changes, then the references come back in their new shape."""
    for table, columns in USER_REFS.items():
        for column in columns:
            op.drop_constraint(_user_fk(table, column, composite=not up)[0], table, type_="foreignkey")
    for table, column in KEYS.items():
        op.drop_constraint(f"pk_{table}", table, type_="primary")
        op.create_primary_key(f"pk_{table}", table, [column, "clinic_id"] if up else [column])
    for table, columns in USER_REFS.items():
        for column in columns:
            name, local, remote = _user_fk(table, column, composite=up)
            op.create_foreign_key(name, table, "users", local, remote)
    for table, (before, after) in UNIQUES.items():
        old, new = (before, after) if up else (after, before)
        op.drop_constraint(_uq(table, old), table, type_="unique")
        op.create_unique_constraint(_uq(table, new), table, new)
    for name, column in OVERLAPS:
        op.execute(f"ALTER TABLE appointments DROP CONSTRAINT ex_appointments_{name}_overlap")
        equal = f"clinic_id WITH =, {column} WITH =" if up else f"{column} WITH ="
        op.execute(
            f"ALTER TABLE appointments ADD CONSTRAINT ex_appointments_{name}_overlap "
            f"EXCLUDE USING gist ({equal}, tstzrange(starts_at, blocks_until, '[)') WITH &&) "
            f"WHERE (status IN {BLOCKING})"
        )
