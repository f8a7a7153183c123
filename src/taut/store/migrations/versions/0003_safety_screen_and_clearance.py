"""The structured safety screen on the intake (answers by question id, duration in days) and medical clearance
after a red-flag referral

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import taut.store.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("intakes") as batch:
        batch.add_column(sa.Column("duration_days", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("answers", taut.store.types.Json, server_default="[]", nullable=False))
    op.create_table(
        "medical_clearances",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("clinic_id", ID, nullable=False),
        sa.Column("client_id", ID, nullable=False),
        sa.Column("intake_id", ID, nullable=False),
        sa.Column("flags", taut.store.types.Json, nullable=False),
        sa.Column("cleared_by", sa.String(length=200), nullable=False),
        sa.Column("cleared_on", sa.Date(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", ID, nullable=False),
        sa.Column("recorded_at", taut.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id", "client_id"],
            ["clients.clinic_id", "clients.id"],
            name=op.f("fk_medical_clearances_clinic_id_client_id_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id", "intake_id"],
            ["intakes.clinic_id", "intakes.id"],
            name=op.f("fk_medical_clearances_clinic_id_intake_id_intakes"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_medical_clearances_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_medical_clearances_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_medical_clearances")),
    )
    op.create_index(
        "ix_medical_clearances_clinic_client",
        "medical_clearances",
        ["clinic_id", "client_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_medical_clearances_clinic_client", table_name="medical_clearances")
    op.drop_table("medical_clearances")
    with op.batch_alter_table("intakes") as batch:
        batch.drop_column("answers")
        batch.drop_column("duration_days")
