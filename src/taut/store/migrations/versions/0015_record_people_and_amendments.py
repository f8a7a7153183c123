"""The record's people on the client (occupation, emergency contact, referring provider) and amendable intakes
and examinations (a version on each, the history of amendments)

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import taut.store.types

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = taut.store.types.UTCDateTime(timezone=True)

# clinic/fields.py CLIENT_PEOPLE as it stood when this migration was written
PEOPLE = (
    ("occupation", 200),
    ("emergency_name", 200),
    ("emergency_relation", 100),
    ("emergency_phone", 40),
    ("referrer_name", 200),
    ("referrer_practice", 200),
    ("referrer_address", 500),
    ("referrer_phone", 40),
    ("referrer_email", 254),
)


def upgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        for name, length in PEOPLE:
            batch.add_column(sa.Column(name, sa.String(length=length), nullable=True))
    for table in ("intakes", "assessments"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.create_table(
        "record_amendments",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("clinic_id", ID, nullable=False),
        sa.Column("client_id", ID, nullable=False),
        sa.Column("entity", sa.String(length=12), nullable=False),
        sa.Column("record_id", ID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("previous", taut.store.types.Json, nullable=False),
        sa.Column("amended_by", ID, nullable=False),
        sa.Column("amended_at", WHEN, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id", "client_id"],
            ["clients.clinic_id", "clients.id"],
            name=op.f("fk_record_amendments_clinic_id_client_id_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_record_amendments_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["amended_by"], ["users.id"], name=op.f("fk_record_amendments_amended_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_amendments")),
        sa.UniqueConstraint("clinic_id", "id", name=op.f("uq_record_amendments_clinic_id_id")),
        sa.UniqueConstraint(
            "clinic_id",
            "entity",
            "record_id",
            "version",
            name=op.f("uq_record_amendments_clinic_id_entity_record_id_version"),
        ),
    )
    op.create_index(
        "ix_record_amendments_clinic_client", "record_amendments", ["clinic_id", "client_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_record_amendments_clinic_client", table_name="record_amendments")
    op.drop_table("record_amendments")
    for table in ("assessments", "intakes"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
    with op.batch_alter_table("clients") as batch:
        for name, _length in reversed(PEOPLE):
            batch.drop_column(name)
