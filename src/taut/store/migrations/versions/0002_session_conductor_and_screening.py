"""Sessions recorded hold by hold (status, ended_at) and red-flag decisions (referral or override)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import taut.store.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("intakes") as batch:
        batch.create_unique_constraint(op.f("uq_intakes_clinic_id_id"), ["clinic_id", "id"])
    with op.batch_alter_table("treatment_sessions") as batch:
        batch.add_column(sa.Column("status", sa.String(length=10), server_default="finished", nullable=False))
        batch.add_column(sa.Column("ended_at", taut.store.types.UTCDateTime(), nullable=True))
    op.create_table(
        "screening_decisions",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("clinic_id", ID, nullable=False),
        sa.Column("client_id", ID, nullable=False),
        sa.Column("intake_id", ID, nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("referred_to", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("flags", taut.store.types.Json, nullable=False),
        sa.Column("decided_by", ID, nullable=False),
        sa.Column("decided_at", taut.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id", "client_id"],
            ["clients.clinic_id", "clients.id"],
            name=op.f("fk_screening_decisions_clinic_id_client_id_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id", "intake_id"],
            ["intakes.clinic_id", "intakes.id"],
            name=op.f("fk_screening_decisions_clinic_id_intake_id_intakes"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_screening_decisions_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_screening_decisions_decided_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_decisions")),
    )
    op.create_index(
        "ix_screening_decisions_clinic_client",
        "screening_decisions",
        ["clinic_id", "client_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_screening_decisions_clinic_client", table_name="screening_decisions")
    op.drop_table("screening_decisions")
    with op.batch_alter_table("treatment_sessions") as batch:
        batch.drop_column("ended_at")
        batch.drop_column("status")
    with op.batch_alter_table("intakes") as batch:
        batch.drop_constraint(op.f("uq_intakes_clinic_id_id"), type_="unique")
