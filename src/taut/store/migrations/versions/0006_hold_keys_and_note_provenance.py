"""Holds stored exactly once and in order (a client-generated key, unique positions per session, the index
every per-session read uses, the chart's holds in order from an index, red-flag decisions by intake) and
imported notes' provenance

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import taut.store.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _renumber_duplicate_positions() -> None:
    """Sessions saved before this revision may hold two holds at one position (concurrent saves): number each
    such session's holds again 0, 1, 2, ... in their stored order (position, then id), so that the unique index
    can be built. Sessions without a duplicate are not touched."""
    conn = op.get_bind()
    dup = conn.execute(
        sa.text(
            "SELECT DISTINCT clinic_id, session_id FROM holds "
            "GROUP BY clinic_id, session_id, position HAVING count(*) > 1"
        )
    ).all()
    for clinic_id, session_id in dup:
        ids = conn.execute(
            sa.text("SELECT id FROM holds WHERE clinic_id = :c AND session_id = :s ORDER BY position, id"),
            {"c": clinic_id, "s": session_id},
        ).scalars()
        # Two passes (negative first) so no intermediate state collides with a position still in use.
        ordered = list(ids)
        for i, hid in enumerate(ordered):
            conn.execute(sa.text("UPDATE holds SET position = :p WHERE id = :i"), {"p": -1 - i, "i": hid})
        for i, hid in enumerate(ordered):
            conn.execute(sa.text("UPDATE holds SET position = :p WHERE id = :i"), {"p": i, "i": hid})


def upgrade() -> None:
    op.add_column("holds", sa.Column("key", sa.String(length=36), nullable=True))
    _renumber_duplicate_positions()
    op.create_index(
        "ix_holds_clinic_session_position", "holds", ["clinic_id", "session_id", "position"], unique=True
    )
    op.create_index("ix_holds_clinic_session_key", "holds", ["clinic_id", "session_id", "key"], unique=True)
    # The chart's read of a client's holds in session and position order, from the index alone.
    op.drop_index("ix_holds_clinic_client", table_name="holds")
    op.create_index("ix_holds_clinic_client", "holds", ["clinic_id", "client_id", "session_id", "position"])
    op.create_index("ix_screening_decisions_clinic_intake", "screening_decisions", ["clinic_id", "intake_id"])
    op.add_column("notes", sa.Column("provenance", taut.store.types.Json, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notes") as batch:
        batch.drop_column("provenance")
    op.drop_index("ix_screening_decisions_clinic_intake", table_name="screening_decisions")
    op.drop_index("ix_holds_clinic_client", table_name="holds")
    op.create_index("ix_holds_clinic_client", "holds", ["clinic_id", "client_id"])
    op.drop_index("ix_holds_clinic_session_key", table_name="holds")
    op.drop_index("ix_holds_clinic_session_position", table_name="holds")
    with op.batch_alter_table("holds") as batch:
        batch.drop_column("key")
