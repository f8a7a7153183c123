"""After the session, by itself: the clinic's switch for follow-up links, a client's opt-out, and the
follow-up links sent (one per session check-in, one per plan reassessment date and instrument); a signed consent
read from a FHIR Bundle has no link here (``signed_consents.invitation_id`` may be empty)

Revision ID: 0020
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import taut.store.types

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = taut.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("client_side_settings") as batch:
        batch.add_column(sa.Column("follow_up", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("clients") as batch:
        batch.add_column(
            sa.Column("follow_up_opt_out", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "follow_ups_sent",
        sa.Column("id", ID, sa.Identity(), nullable=False),
        sa.Column("clinic_id", ID, nullable=False),
        sa.Column("client_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref", sa.String(length=80), nullable=False),
        sa.Column("invitation_id", ID, nullable=True),
        sa.Column("queued_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id", "client_id"],
            ["clients.clinic_id", "clients.id"],
            name=op.f("fk_follow_ups_sent_clinic_id_client_id_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id", "invitation_id"],
            ["portal_invitations.clinic_id", "portal_invitations.id"],
            name=op.f("fk_follow_ups_sent_clinic_id_invitation_id_portal_invitations"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_follow_ups_sent_clinic_id_clinics")
        ),
        sa.PrimaryKeyConstraint("id", "clinic_id", name=op.f("pk_follow_ups_sent")),
        sa.UniqueConstraint("clinic_id", "id", name=op.f("uq_follow_ups_sent_clinic_id_id")),
        sa.UniqueConstraint("clinic_id", "kind", "ref", name=op.f("uq_follow_ups_sent_clinic_id_kind_ref")),
    )
    with op.batch_alter_table("signed_consents") as batch:
        batch.alter_column("invitation_id", existing_type=ID, nullable=True)


def downgrade() -> None:
    # consents imported from FHIR have no link; the older schema cannot hold them
    op.execute("DELETE FROM signed_consents WHERE invitation_id IS NULL")
    with op.batch_alter_table("signed_consents") as batch:
        batch.alter_column("invitation_id", existing_type=ID, nullable=False)
    op.drop_table("follow_ups_sent")
    with op.batch_alter_table("clients") as batch:
        batch.drop_column("follow_up_opt_out")
    with op.batch_alter_table("client_side_settings") as batch:
        batch.drop_column("follow_up")
