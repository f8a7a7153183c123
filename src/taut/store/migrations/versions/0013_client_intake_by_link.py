"""The client's intake by link: a draft saved part-way on the link, and the consent the client signed

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import taut.store.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = taut.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("portal_invitations") as batch:
        batch.add_column(sa.Column("draft", taut.store.types.Json, nullable=True))
        batch.add_column(sa.Column("draft_saved_at", WHEN, nullable=True))
    op.create_table(
        "signed_consents",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("clinic_id", ID, nullable=False),
        sa.Column("client_id", ID, nullable=False),
        sa.Column("invitation_id", ID, nullable=False),
        sa.Column("intake_id", ID, nullable=True),
        sa.Column("text_version", sa.String(length=20), nullable=False),
        sa.Column("signed_at", WHEN, nullable=False),
        sa.Column("signer_name", sa.String(length=200), nullable=False),
        sa.Column("signature_kind", sa.String(length=10), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id", "client_id"],
            ["clients.clinic_id", "clients.id"],
            name=op.f("fk_signed_consents_clinic_id_client_id_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id", "invitation_id"],
            ["portal_invitations.clinic_id", "portal_invitations.id"],
            name=op.f("fk_signed_consents_clinic_id_invitation_id_portal_invitations"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id", "intake_id"],
            ["intakes.clinic_id", "intakes.id"],
            name=op.f("fk_signed_consents_clinic_id_intake_id_intakes"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_signed_consents_clinic_id_clinics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signed_consents")),
        sa.UniqueConstraint("clinic_id", "id", name=op.f("uq_signed_consents_clinic_id_id")),
        sa.UniqueConstraint(
            "clinic_id", "invitation_id", name=op.f("uq_signed_consents_clinic_id_invitation_id")
        ),
    )
    op.create_index(
        "ix_signed_consents_clinic_client", "signed_consents", ["clinic_id", "client_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_signed_consents_clinic_client", table_name="signed_consents")
    op.drop_table("signed_consents")
    with op.batch_alter_table("portal_invitations") as batch:
        batch.drop_column("draft_saved_at")
        batch.drop_column("draft")
