"""The appointment book: the clinic's time zone, booking settings, practitioner profiles (credentials,
registration number, calendar-feed secret), rooms, appointment types, working hours and exceptions,
appointments (no two blocking ones of a practitioner or a room overlap: an exclusion constraint with
btree_gist on PostgreSQL, triggers on SQLite), payments, the waitlist and the reminders sent.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import taut.store.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appointment_types",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("clinic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("minutes", sa.SmallInteger(), nullable=False),
        sa.Column("buffer_minutes", sa.SmallInteger(), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("colour", sa.String(length=7), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_appointment_types_clinic_id_clinics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_types")),
        sa.UniqueConstraint("clinic_id", "id", name=op.f("uq_appointment_types_clinic_id_id")),
    )
    op.create_table(
        "booking_settings",
        sa.Column("clinic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("cancel_window_hours", sa.SmallInteger(), nullable=False),
        sa.Column("reminder_hours", taut.store.types.Json, nullable=False),
        sa.Column("slot_minutes", sa.SmallInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("tax_name", sa.String(length=40), nullable=False),
        sa.Column("tax_basis_points", sa.Integer(), nullable=False),
        sa.Column("tax_number", sa.String(length=60), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("updated_at", taut.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_booking_settings_clinic_id_clinics")
        ),
        sa.PrimaryKeyConstraint("clinic_id", name=op.f("pk_booking_settings")),
    )
    op.create_table(
        "rooms",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("clinic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinics.id"], name=op.f("fk_rooms_clinic_id_clinics")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rooms")),
        sa.UniqueConstraint("clinic_id", "id", name=op.f("uq_rooms_clinic_id_id")),
    )
    op.create_table(
        "practitioner_profiles",
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("clinic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("credentials", sa.String(length=120), nullable=False),
        sa.Column("registration_number", sa.String(length=60), nullable=False),
        sa.Column("bookable", sa.Boolean(), nullable=False),
        sa.Column("feed_token", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_practitioner_profiles_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_practitioner_profiles_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_practitioner_profiles")),
        sa.UniqueConstraint("feed_token", name=op.f("uq_practitioner_profiles_feed_token")),
    )
    op.create_table(
        "schedule_exceptions",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("clinic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("practitioner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=5), nullable=False),
        sa.Column("start_minute", sa.SmallInteger(), nullable=True),
        sa.Column("end_minute", sa.SmallInteger(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_schedule_exceptions_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"], ["users.id"], name=op.f("fk_schedule_exceptions_practitioner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_exceptions")),
    )
    with op.batch_alter_table("schedule_exceptions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_schedule_exceptions_practitioner_day", ["practitioner_id", "day"], unique=False
        )

    op.create_table(
        "waitlist",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("clinic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("client_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("type_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("practitioner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("from_day", sa.Date(), nullable=False),
        sa.Column("to_day", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("offered_start", taut.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "offered_practitioner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", taut.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id", "client_id"],
            ["clients.clinic_id", "clients.id"],
            name=op.f("fk_waitlist_clinic_id_client_id_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id", "type_id"],
            ["appointment_types.clinic_id", "appointment_types.id"],
            name=op.f("fk_waitlist_clinic_id_type_id_appointment_types"),
        ),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinics.id"], name=op.f("fk_waitlist_clinic_id_clinics")),
        sa.ForeignKeyConstraint(
            ["offered_practitioner_id"], ["users.id"], name=op.f("fk_waitlist_offered_practitioner_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"], ["users.id"], name=op.f("fk_waitlist_practitioner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist")),
    )
    with op.batch_alter_table("waitlist", schema=None) as batch_op:
        batch_op.create_index("ix_waitlist_clinic_client", ["clinic_id", "client_id"], unique=False)

    op.create_table(
        "working_hours",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("clinic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("practitioner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("start_minute", sa.SmallInteger(), nullable=False),
        sa.Column("end_minute", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_working_hours_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"], ["users.id"], name=op.f("fk_working_hours_practitioner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_working_hours")),
    )
    with op.batch_alter_table("working_hours", schema=None) as batch_op:
        batch_op.create_index("ix_working_hours_practitioner", ["practitioner_id"], unique=False)

    op.create_table(
        "appointments",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("clinic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("client_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("practitioner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("type_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("room_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("plan_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("session_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("series_id", sa.String(length=32), nullable=True),
        sa.Column("starts_at", taut.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", taut.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("blocks_until", taut.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=15), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("cancel_reason", sa.String(length=500), nullable=False),
        sa.Column("cancelled_at", taut.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", taut.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("booked_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("booked_at", taut.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["booked_by"], ["users.id"], name=op.f("fk_appointments_booked_by_users")),
        sa.ForeignKeyConstraint(
            ["clinic_id", "client_id"],
            ["clients.clinic_id", "clients.id"],
            name=op.f("fk_appointments_clinic_id_client_id_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id", "plan_id"],
            ["plans.clinic_id", "plans.id"],
            name=op.f("fk_appointments_clinic_id_plan_id_plans"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id", "room_id"],
            ["rooms.clinic_id", "rooms.id"],
            name=op.f("fk_appointments_clinic_id_room_id_rooms"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id", "session_id"],
            ["treatment_sessions.clinic_id", "treatment_sessions.id"],
            name=op.f("fk_appointments_clinic_id_session_id_treatment_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id", "type_id"],
            ["appointment_types.clinic_id", "appointment_types.id"],
            name=op.f("fk_appointments_clinic_id_type_id_appointment_types"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_appointments_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"], ["users.id"], name=op.f("fk_appointments_practitioner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
        sa.UniqueConstraint("clinic_id", "id", name=op.f("uq_appointments_clinic_id_id")),
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index("ix_appointments_clinic_client", ["clinic_id", "client_id"], unique=False)
        batch_op.create_index("ix_appointments_clinic_starts", ["clinic_id", "starts_at"], unique=False)
        batch_op.create_index(
            "ix_appointments_practitioner_starts", ["practitioner_id", "starts_at"], unique=False
        )

    _no_overlaps()

    op.create_table(
        "payments",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("clinic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("client_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("appointment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("taken_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("taken_at", taut.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("processor", sa.String(length=20), nullable=True),
        sa.Column("processor_ref", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["clinic_id", "appointment_id"],
            ["appointments.clinic_id", "appointments.id"],
            name=op.f("fk_payments_clinic_id_appointment_id_appointments"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id", "client_id"],
            ["clients.clinic_id", "clients.id"],
            name=op.f("fk_payments_clinic_id_client_id_clients"),
        ),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinics.id"], name=op.f("fk_payments_clinic_id_clinics")),
        sa.ForeignKeyConstraint(["taken_by"], ["users.id"], name=op.f("fk_payments_taken_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index("ix_payments_appointment", ["appointment_id"], unique=False)
        batch_op.create_index("ix_payments_clinic_client", ["clinic_id", "client_id"], unique=False)
        batch_op.create_index("ix_payments_clinic_paid_on", ["clinic_id", "paid_on"], unique=False)

    op.create_table(
        "reminders_sent",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("clinic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("appointment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("hours_before", sa.SmallInteger(), nullable=False),
        sa.Column("queued_at", taut.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id", "appointment_id"],
            ["appointments.clinic_id", "appointments.id"],
            name=op.f("fk_reminders_sent_clinic_id_appointment_id_appointments"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_reminders_sent_clinic_id_clinics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders_sent")),
        sa.UniqueConstraint(
            "appointment_id", "hours_before", name=op.f("uq_reminders_sent_appointment_id_hours_before")
        ),
    )
    # the clinic's time zone comes with the clinic profile (migration 0004)


def downgrade() -> None:
    _drop_overlap_guards()
    op.drop_table("reminders_sent")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_clinic_paid_on")
        batch_op.drop_index("ix_payments_clinic_client")
        batch_op.drop_index("ix_payments_appointment")

    op.drop_table("payments")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index("ix_appointments_practitioner_starts")
        batch_op.drop_index("ix_appointments_clinic_starts")
        batch_op.drop_index("ix_appointments_clinic_client")

    op.drop_table("appointments")
    with op.batch_alter_table("working_hours", schema=None) as batch_op:
        batch_op.drop_index("ix_working_hours_practitioner")

    op.drop_table("working_hours")
    with op.batch_alter_table("waitlist", schema=None) as batch_op:
        batch_op.drop_index("ix_waitlist_clinic_client")

    op.drop_table("waitlist")
    with op.batch_alter_table("schedule_exceptions", schema=None) as batch_op:
        batch_op.drop_index("ix_schedule_exceptions_practitioner_day")

    op.drop_table("schedule_exceptions")
    op.drop_table("practitioner_profiles")
    op.drop_table("rooms")
    op.drop_table("booking_settings")
    op.drop_table("appointment_types")


BLOCKING = "('booked', 'arrived', 'in_session', 'attended', 'no_show')"


def _no_overlaps() -> None:
    """No two blocking appointments of one practitioner, or of one room, overlap in [starts_at, blocks_until)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        for name, column in (("practitioner", "practitioner_id"), ("room", "room_id")):
            op.execute(
                f"ALTER TABLE appointments ADD CONSTRAINT ex_appointments_{name}_overlap "
                f"EXCLUDE USING gist ({column} WITH =, tstzrange(starts_at, blocks_until, '[)') WITH &&) "
                f"WHERE (status IN {BLOCKING})"
            )
        return
    for name, column in (("practitioner", "practitioner_id"), ("room", "room_id")):
        clash = (
            f"NEW.status IN {BLOCKING} AND NEW.{column} IS NOT NULL AND EXISTS (SELECT 1 FROM appointments a "
            f"WHERE a.{column} = NEW.{column} AND a.status IN {BLOCKING} AND a.id IS NOT NEW.id "
            "AND a.starts_at < NEW.blocks_until AND NEW.starts_at < a.blocks_until)"
        )
        raise_ = f"SELECT RAISE(ABORT, 'ex_appointments_{name}_overlap: the {name} is booked at that time');"
        op.execute(
            f"CREATE TRIGGER ex_appointments_{name}_overlap_insert BEFORE INSERT ON appointments "
            f"WHEN {clash} BEGIN {raise_} END"
        )
        op.execute(
            f"CREATE TRIGGER ex_appointments_{name}_overlap_update BEFORE UPDATE OF "
            f"{column}, starts_at, blocks_until, status ON appointments WHEN {clash} BEGIN {raise_} END"
        )


def _drop_overlap_guards() -> None:
    if op.get_bind().dialect.name == "postgresql":
        return  # dropped with the table
    for name in ("practitioner", "room"):
        for when in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS ex_appointments_{name}_overlap_{when}")
