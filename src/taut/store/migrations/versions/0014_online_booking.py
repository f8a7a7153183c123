"""Online booking: the clinic's client-side settings (online booking switch, link expiry), online bookings and the
one-time codes of returning clients

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import taut.store.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = taut.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "client_side_settings",
        sa.Column("clinic_id", ID, nullable=False),
        sa.Column("online_booking", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("link_days", sa.SmallInteger(), server_default="7", nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_client_side_settings_clinic_id_clinics")
        ),
        sa.PrimaryKeyConstraint("clinic_id", name=op.f("pk_client_side_settings")),
    )
    op.create_table(
        "online_bookings",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("clinic_id", ID, nullable=False),
        sa.Column("client_id", ID, nullable=False),
        sa.Column("appointment_id", ID, nullable=False),
        sa.Column("new_client", sa.Boolean(), nullable=False),
        sa.Column("nonce_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id", "client_id"],
            ["clients.clinic_id", "clients.id"],
            name=op.f("fk_online_bookings_clinic_id_client_id_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id", "appointment_id"],
            ["appointments.clinic_id", "appointments.id"],
            name=op.f("fk_online_bookings_clinic_id_appointment_id_appointments"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_online_bookings_clinic_id_clinics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_online_bookings")),
        sa.UniqueConstraint("clinic_id", "id", name=op.f("uq_online_bookings_clinic_id_id")),
        sa.UniqueConstraint(
            "clinic_id", "appointment_id", name=op.f("uq_online_bookings_clinic_id_appointment_id")
        ),
    )
    op.create_index(
        "ix_online_bookings_clinic_client", "online_bookings", ["clinic_id", "client_id"], unique=False
    )
    op.create_table(
        "booking_codes",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("clinic_id", ID, nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("client_id", ID, nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("used_at", WHEN, nullable=True),
        sa.Column("attempts", sa.SmallInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id", "client_id"],
            ["clients.clinic_id", "clients.id"],
            name=op.f("fk_booking_codes_clinic_id_client_id_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_booking_codes_clinic_id_clinics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_codes")),
        sa.UniqueConstraint("clinic_id", "id", name=op.f("uq_booking_codes_clinic_id_id")),
    )
    op.create_index(
        "ix_booking_codes_clinic_email", "booking_codes", ["clinic_id", "email", "created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_booking_codes_clinic_email", table_name="booking_codes")
    op.drop_table("booking_codes")
    op.drop_index("ix_online_bookings_clinic_client", table_name="online_bookings")
    op.drop_table("online_bookings")
    op.drop_table("client_side_settings")
