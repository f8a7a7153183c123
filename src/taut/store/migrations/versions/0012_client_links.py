"""The client's own side: client links (invitations) and what clients send by them (submissions)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import taut.store.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = taut.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "portal_invitations",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("clinic_id", ID, nullable=False),
        sa.Column("client_id", ID, nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("nonce_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", ID, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("used_at", WHEN, nullable=True),
        sa.Column("session_id", ID, nullable=True),
        sa.Column("instrument", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(
            ["clinic_id", "client_id"],
            ["clients.clinic_id", "clients.id"],
            name=op.f("fk_portal_invitations_clinic_id_client_id_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id", "session_id"],
            ["treatment_sessions.clinic_id", "treatment_sessions.id"],
            name=op.f("fk_portal_invitations_clinic_id_session_id_treatment_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_portal_invitations_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_portal_invitations_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_invitations")),
        sa.UniqueConstraint("clinic_id", "id", name=op.f("uq_portal_invitations_clinic_id_id")),
    )
    op.create_index(
        "ix_portal_invitations_clinic_client", "portal_invitations", ["clinic_id", "client_id"], unique=False
    )
    op.create_table(
        "portal_submissions",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("clinic_id", ID, nullable=False),
        sa.Column("client_id", ID, nullable=False),
        sa.Column("invitation_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("payload", taut.store.types.Json, nullable=False),
        sa.Column("attention", taut.store.types.Json, nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("received_at", WHEN, nullable=False),
        sa.Column("reviewed_at", WHEN, nullable=True),
        sa.Column("reviewed_by", ID, nullable=True),
        sa.Column("record_id", ID, nullable=True),
        sa.ForeignKeyConstraint(
            ["clinic_id", "client_id"],
            ["clients.clinic_id", "clients.id"],
            name=op.f("fk_portal_submissions_clinic_id_client_id_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id", "invitation_id"],
            ["portal_invitations.clinic_id", "portal_invitations.id"],
            name=op.f("fk_portal_submissions_clinic_id_invitation_id_portal_invitations"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_portal_submissions_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by"], ["users.id"], name=op.f("fk_portal_submissions_reviewed_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_submissions")),
        sa.UniqueConstraint("invitation_id", name=op.f("uq_portal_submissions_invitation_id")),
    )
    op.create_index(
        "ix_portal_submissions_clinic_client", "portal_submissions", ["clinic_id", "client_id"], unique=False
    )
    op.create_index(
        "ix_portal_submissions_clinic_status", "portal_submissions", ["clinic_id", "status"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_portal_submissions_clinic_status", table_name="portal_submissions")
    op.drop_index("ix_portal_submissions_clinic_client", table_name="portal_submissions")
    op.drop_table("portal_submissions")
    op.drop_index("ix_portal_invitations_clinic_client", table_name="portal_invitations")
    op.drop_table("portal_invitations")
