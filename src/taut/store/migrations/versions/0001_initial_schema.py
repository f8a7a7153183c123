"""Initial schema: clinics, users, clients and every clinical table, the audit log and the Taut marker

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import taut.store.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clinics",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", taut.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinics")),
    )
    op.create_table(
        "taut_meta",
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_taut_meta")),
    )
    op.create_table(
        "clients",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("clinic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=10), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("address", sa.String(length=500), nullable=True),
        sa.Column("consent_treatment_on", sa.Date(), nullable=True),
        sa.Column("consent_data_use_on", sa.Date(), nullable=True),
        sa.Column("created_at", taut.store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", taut.store.types.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinics.id"], name=op.f("fk_clients_clinic_id_clinics")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients")),
        sa.UniqueConstraint("clinic_id", "id", name=op.f("uq_clients_clinic_id_id")),
    )
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.create_index(
            "ix_clients_clinic_name", ["clinic_id", "family_name", "given_name"], unique=False
        )

    op.create_table(
        "users",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("clinic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", taut.store.types.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinics.id"], name=op.f("fk_users_clinic_id_clinics")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("clinic_id", "id", name=op.f("uq_users_clinic_id_id")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "assessments",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("clinic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("client_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("recorded_at", taut.store.types.UTCDateTime(), nullable=False),
        sa.Column(
            "posture",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "gait",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "entrapment_tests",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id", "client_id"],
            ["clients.clinic_id", "clients.id"],
            name=op.f("fk_assessments_clinic_id_client_id_clients"),
        ),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinics.id"], name=op.f("fk_assessments_clinic_id_clinics")),
        sa.ForeignKeyConstraint(["recorded_by"], ["users.id"], name=op.f("fk_assessments_recorded_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
        sa.UniqueConstraint("clinic_id", "id", name=op.f("uq_assessments_clinic_id_id")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index("ix_assessments_clinic_client", ["clinic_id", "client_id"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("clinic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("at", taut.store.types.UTCDateTime(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("entity", sa.String(length=30), nullable=False),
        sa.Column("record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("client_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("detail", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinics.id"], name=op.f("fk_audit_log_clinic_id_clinics")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_audit_log_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_clinic_at", ["clinic_id", "at"], unique=False)
        batch_op.create_index("ix_audit_log_clinic_client", ["clinic_id", "client_id"], unique=False)

    op.create_table(
        "intakes",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("clinic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("client_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("recorded_at", taut.store.types.UTCDateTime(), nullable=False),
        sa.Column(
            "pain_drawing",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("chief_complaint", sa.Text(), nullable=False),
        sa.Column("onset", sa.String(length=10), nullable=False),
        sa.Column("began_on", sa.Date(), nullable=True),
        sa.Column("duration_weeks", sa.Integer(), nullable=True),
        sa.Column(
            "mechanisms",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "aggravators",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "symptoms",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("history", sa.Text(), nullable=False),
        sa.Column(
            "medications",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "screening",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "factors",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id", "client_id"],
            ["clients.clinic_id", "clients.id"],
            name=op.f("fk_intakes_clinic_id_client_id_clients"),
        ),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinics.id"], name=op.f("fk_intakes_clinic_id_clinics")),
        sa.ForeignKeyConstraint(["recorded_by"], ["users.id"], name=op.f("fk_intakes_recorded_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intakes")),
    )
    with op.batch_alter_table("intakes", schema=None) as batch_op:
        batch_op.create_index("ix_intakes_clinic_client", ["clinic_id", "client_id"], unique=False)

    op.create_table(
        "outcome_measures",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("clinic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("client_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("instrument", sa.String(length=10), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column(
            "items",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "activities",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("band", sa.String(length=20), nullable=True),
        sa.Column("scoring_version", sa.SmallInteger(), nullable=False),
        sa.Column("recorded_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("recorded_at", taut.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id", "client_id"],
            ["clients.clinic_id", "clients.id"],
            name=op.f("fk_outcome_measures_clinic_id_client_id_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_outcome_measures_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_outcome_measures_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_measures")),
    )
    with op.batch_alter_table("outcome_measures", schema=None) as batch_op:
        batch_op.create_index("ix_outcome_measures_clinic_client", ["clinic_id", "client_id"], unique=False)

    op.create_table(
        "plans",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("clinic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("client_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column(
            "goals",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("sessions_planned", sa.SmallInteger(), nullable=False),
        sa.Column("interval_days", sa.SmallInteger(), nullable=False),
        sa.Column(
            "points",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "reassess_on",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("self_care", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=15), nullable=False),
        sa.Column("created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", taut.store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", taut.store.types.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id", "client_id"],
            ["clients.clinic_id", "clients.id"],
            name=op.f("fk_plans_clinic_id_client_id_clients"),
        ),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinics.id"], name=op.f("fk_plans_clinic_id_clinics")),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_plans_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
        sa.UniqueConstraint("clinic_id", "id", name=op.f("uq_plans_clinic_id_id")),
    )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index("ix_plans_clinic_client", ["clinic_id", "client_id"], unique=False)

    op.create_table(
        "rom_measurements",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("clinic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("client_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("assessment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("movement", sa.String(length=40), nullable=False),
        sa.Column("side", sa.String(length=5), nullable=True),
        sa.Column("degrees", sa.SmallInteger(), nullable=False),
        sa.Column("normal_degrees", sa.SmallInteger(), nullable=False),
        sa.Column("normal_source", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id", "assessment_id"],
            ["assessments.clinic_id", "assessments.id"],
            name=op.f("fk_rom_measurements_clinic_id_assessment_id_assessments"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id", "client_id"],
            ["clients.clinic_id", "clients.id"],
            name=op.f("fk_rom_measurements_clinic_id_client_id_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_rom_measurements_clinic_id_clinics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rom_measurements")),
    )
    with op.batch_alter_table("rom_measurements", schema=None) as batch_op:
        batch_op.create_index("ix_rom_measurements_clinic_client", ["clinic_id", "client_id"], unique=False)

    op.create_table(
        "treatment_sessions",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("clinic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("client_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("plan_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("occurred_at", taut.store.types.UTCDateTime(), nullable=False),
        sa.Column("practitioner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("pain_before", sa.SmallInteger(), nullable=False),
        sa.Column("pain_after", sa.SmallInteger(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("aftercare", sa.Text(), nullable=False),
        sa.Column("recorded_at", taut.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id", "client_id"],
            ["clients.clinic_id", "clients.id"],
            name=op.f("fk_treatment_sessions_clinic_id_client_id_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id", "plan_id"],
            ["plans.clinic_id", "plans.id"],
            name=op.f("fk_treatment_sessions_clinic_id_plan_id_plans"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_treatment_sessions_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"], ["users.id"], name=op.f("fk_treatment_sessions_practitioner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment_sessions")),
        sa.UniqueConstraint("clinic_id", "id", name=op.f("uq_treatment_sessions_clinic_id_id")),
    )
    with op.batch_alter_table("treatment_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_treatment_sessions_clinic_client", ["clinic_id", "client_id"], unique=False)

    op.create_table(
        "trp_findings",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("clinic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("client_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("assessment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("trp_id", sa.String(length=80), nullable=False),
        sa.Column("side", sa.String(length=5), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("taut_band", sa.Boolean(), nullable=False),
        sa.Column("jump_sign", sa.Boolean(), nullable=False),
        sa.Column("local_twitch", sa.Boolean(), nullable=False),
        sa.Column("referral_reproduced", sa.Boolean(), nullable=False),
        sa.Column("tenderness", sa.SmallInteger(), nullable=True),
        sa.Column("ppt_kpa", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["clinic_id", "assessment_id"],
            ["assessments.clinic_id", "assessments.id"],
            name=op.f("fk_trp_findings_clinic_id_assessment_id_assessments"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id", "client_id"],
            ["clients.clinic_id", "clients.id"],
            name=op.f("fk_trp_findings_clinic_id_client_id_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_trp_findings_clinic_id_clinics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trp_findings")),
    )
    with op.batch_alter_table("trp_findings", schema=None) as batch_op:
        batch_op.create_index("ix_trp_findings_clinic_client", ["clinic_id", "client_id"], unique=False)

    op.create_table(
        "checkins",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("clinic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("client_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("session_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("recorded_at", taut.store.types.UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("tenderness", sa.SmallInteger(), nullable=False),
        sa.Column("relief", sa.String(length=10), nullable=False),
        sa.Column("questions", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id", "client_id"],
            ["clients.clinic_id", "clients.id"],
            name=op.f("fk_checkins_clinic_id_client_id_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id", "session_id"],
            ["treatment_sessions.clinic_id", "treatment_sessions.id"],
            name=op.f("fk_checkins_clinic_id_session_id_treatment_sessions"),
        ),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinics.id"], name=op.f("fk_checkins_clinic_id_clinics")),
        sa.ForeignKeyConstraint(["recorded_by"], ["users.id"], name=op.f("fk_checkins_recorded_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins")),
        sa.UniqueConstraint("session_id", name=op.f("uq_checkins_session_id")),
    )
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.create_index("ix_checkins_clinic_client", ["clinic_id", "client_id"], unique=False)

    op.create_table(
        "holds",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("clinic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("client_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("session_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("trp_id", sa.String(length=80), nullable=False),
        sa.Column("side", sa.String(length=5), nullable=True),
        sa.Column("technique", sa.String(length=40), nullable=False),
        sa.Column("pressure", sa.SmallInteger(), nullable=False),
        sa.Column("seconds", sa.SmallInteger(), nullable=False),
        sa.Column("discomfort", sa.SmallInteger(), nullable=False),
        sa.Column("pressure_change", sa.String(length=4), nullable=True),
        sa.Column("released", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id", "client_id"],
            ["clients.clinic_id", "clients.id"],
            name=op.f("fk_holds_clinic_id_client_id_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id", "session_id"],
            ["treatment_sessions.clinic_id", "treatment_sessions.id"],
            name=op.f("fk_holds_clinic_id_session_id_treatment_sessions"),
        ),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinics.id"], name=op.f("fk_holds_clinic_id_clinics")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holds")),
    )
    with op.batch_alter_table("holds", schema=None) as batch_op:
        batch_op.create_index("ix_holds_clinic_client", ["clinic_id", "client_id"], unique=False)

    op.create_table(
        "notes",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("clinic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("client_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("session_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("kind", sa.String(length=15), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("written_at", taut.store.types.UTCDateTime(), nullable=False),
        sa.Column("signed_at", taut.store.types.UTCDateTime(), nullable=True),
        sa.Column("signed_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("amends_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_notes_author_id_users")),
        sa.ForeignKeyConstraint(
            ["clinic_id", "amends_id"],
            ["notes.clinic_id", "notes.id"],
            name=op.f("fk_notes_clinic_id_amends_id_notes"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id", "client_id"],
            ["clients.clinic_id", "clients.id"],
            name=op.f("fk_notes_clinic_id_client_id_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id", "session_id"],
            ["treatment_sessions.clinic_id", "treatment_sessions.id"],
            name=op.f("fk_notes_clinic_id_session_id_treatment_sessions"),
        ),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinics.id"], name=op.f("fk_notes_clinic_id_clinics")),
        sa.ForeignKeyConstraint(["signed_by"], ["users.id"], name=op.f("fk_notes_signed_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
        sa.UniqueConstraint("clinic_id", "id", name=op.f("uq_notes_clinic_id_id")),
    )
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.create_index("ix_notes_clinic_client", ["clinic_id", "client_id"], unique=False)
    meta = sa.table("taut_meta", sa.column("key", sa.String), sa.column("value", sa.String))
    op.bulk_insert(meta, [{"key": "app", "value": "taut"}])


def downgrade() -> None:
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.drop_index("ix_notes_clinic_client")

    op.drop_table("notes")
    with op.batch_alter_table("holds", schema=None) as batch_op:
        batch_op.drop_index("ix_holds_clinic_client")

    op.drop_table("holds")
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.drop_index("ix_checkins_clinic_client")

    op.drop_table("checkins")
    with op.batch_alter_table("trp_findings", schema=None) as batch_op:
        batch_op.drop_index("ix_trp_findings_clinic_client")

    op.drop_table("trp_findings")
    with op.batch_alter_table("treatment_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_treatment_sessions_clinic_client")

    op.drop_table("treatment_sessions")
    with op.batch_alter_table("rom_measurements", schema=None) as batch_op:
        batch_op.drop_index("ix_rom_measurements_clinic_client")

    op.drop_table("rom_measurements")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index("ix_plans_clinic_client")

    op.drop_table("plans")
    with op.batch_alter_table("outcome_measures", schema=None) as batch_op:
        batch_op.drop_index("ix_outcome_measures_clinic_client")

    op.drop_table("outcome_measures")
    with op.batch_alter_table("intakes", schema=None) as batch_op:
        batch_op.drop_index("ix_intakes_clinic_client")

    op.drop_table("intakes")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_clinic_client")
        batch_op.drop_index("ix_audit_log_clinic_at")

    op.drop_table("audit_log")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index("ix_assessments_clinic_client")

    op.drop_table("assessments")
    op.drop_table("users")
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_index("ix_clients_clinic_name")

    op.drop_table("clients")
    op.drop_table("taut_meta")
    op.drop_table("clinics")
