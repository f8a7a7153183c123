"""A clinic of its own: the clinic profile, the practitioner profile, sessions kept on the server, sign-in
throttling shared by every process, two-factor recovery codes; e-mail addresses unique within a clinic

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import taut.store.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = taut.store.types.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("clinics") as batch:
        batch.add_column(sa.Column("timezone", sa.String(64), server_default="UTC", nullable=False))
        batch.add_column(sa.Column("address", sa.String(500), nullable=True))
        batch.add_column(sa.Column("phone", sa.String(40), nullable=True))
        batch.add_column(sa.Column("email", sa.String(254), nullable=True))
        batch.add_column(sa.Column("website", sa.String(200), nullable=True))
        batch.add_column(sa.Column("date_format", sa.String(3), server_default="ymd", nullable=False))
        batch.add_column(sa.Column("locale", sa.String(10), server_default="en-GB", nullable=False))
        batch.add_column(sa.Column("currency", sa.String(3), server_default="EUR", nullable=False))
        batch.add_column(sa.Column("tax_number", sa.String(60), nullable=True))
        batch.add_column(sa.Column("logo", sa.Text(), nullable=True))
        batch.add_column(sa.Column("logo_type", sa.String(20), nullable=True))
        batch.add_column(sa.Column("demo", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("idle_minutes", sa.Integer(), server_default="30", nullable=False))
        batch.add_column(sa.Column("require_totp", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("supervisor_role", sa.String(20), nullable=True))
    # The clinic `taut serve --demo` made before this revision is the demo, and says so from now on.
    op.execute(sa.text("UPDATE clinics SET demo = :yes WHERE name = 'Taut Demo Clinic'").bindparams(yes=True))

    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("credentials", sa.String(100), nullable=True))
        batch.add_column(sa.Column("registration_number", sa.String(60), nullable=True))
        batch.add_column(sa.Column("signature_line", sa.String(200), nullable=True))
        batch.add_column(
            sa.Column("must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(sa.Column("password_changed_at", WHEN(), nullable=True))
        batch.add_column(sa.Column("totp_secret", sa.String(64), nullable=True))
        batch.drop_constraint(op.f("uq_users_email"), type_="unique")
        batch.create_unique_constraint(op.f("uq_users_clinic_id_email"), ["clinic_id", "email"])
        batch.create_index(op.f("ix_users_email"), ["email"], unique=False)

    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("clinic_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.Column("last_seen_at", WHEN(), nullable=False),
        sa.Column("expires_at", WHEN(), nullable=False),
        sa.Column("ended_at", WHEN(), nullable=True),
        sa.Column("ended_why", sa.String(30), nullable=True),
        sa.Column("address", sa.String(64), nullable=True),
        sa.Column("user_agent", sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_web_sessions_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_web_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
    )
    op.create_index("ix_web_sessions_user", "web_sessions", ["user_id", "ended_at"], unique=False)
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", WHEN(), nullable=False),
        sa.Column("locked_until", WHEN(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("clinic_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("code_hash", sa.String(200), nullable=False),
        sa.Column("used_at", WHEN(), nullable=True),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_recovery_codes_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_recovery_codes_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )


def downgrade() -> None:
    op.drop_table("recovery_codes")
    op.drop_table("login_throttle")
    op.drop_index("ix_web_sessions_user", table_name="web_sessions")
    op.drop_table("web_sessions")
    with op.batch_alter_table("users") as batch:
        batch.drop_index(op.f("ix_users_email"))
        batch.drop_constraint(op.f("uq_users_clinic_id_email"), type_="unique")
        batch.create_unique_constraint(op.f("uq_users_email"), ["email"])
        for column in (
            "totp_secret",
            "password_changed_at",
            "must_change_password",
            "signature_line",
            "registration_number",
            "credentials",
        ):
            batch.drop_column(column)
    with op.batch_alter_table("clinics") as batch:
        for column in (
            "supervisor_role",
            "require_totp",
            "idle_minutes",
            "demo",
            "logo_type",
            "logo",
            "tax_number",
            "currency",
            "locale",
            "date_format",
            "website",
            "email",
            "phone",
            "address",
            "timezone",
        ):
            batch.drop_column(column)
