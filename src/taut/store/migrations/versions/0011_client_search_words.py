"""Client search: the folded words each client is found under (names without case or accents, e-mail, phone)

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from taut.clinic.search import client_words

revision = "0011"
down_revision = "0007"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WORD = sa.String(length=60).with_variant(sa.String(length=60, collation="C"), "postgresql")


def upgrade() -> None:
    words = op.create_table(
        "client_search_words",
        sa.Column("clinic_id", ID, nullable=False),
        sa.Column("word", WORD, nullable=False),
        sa.Column("client_id", ID, nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_client_search_words_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id", "client_id"],
            ["clients.clinic_id", "clients.id"],
            name=op.f("fk_client_search_words_clinic_id_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("clinic_id", "word", "client_id", name=op.f("pk_client_search_words")),
    )
    op.create_index(
        op.f("ix_client_search_words_clinic_client"), "client_search_words", ["clinic_id", "client_id"]
    )
    op.create_index(
        op.f("ix_client_search_words_covering"),
        "client_search_words",
        ["clinic_id", "word", "family_name", "given_name", "client_id"],
    )
    conn = op.get_bind()
    clients = sa.table(
        "clients",
        sa.column("id"),
        sa.column("clinic_id"),
        sa.column("given_name"),
        sa.column("family_name"),
        sa.column("email"),
        sa.column("phone"),
    )
    batch: list[dict[str, object]] = []
    for r in conn.execute(sa.select(clients)):
        batch.extend(
            {
                "clinic_id": r.clinic_id,
                "client_id": r.id,
                "word": w,
                "family_name": r.family_name,
                "given_name": r.given_name,
            }
            for w in sorted(client_words(r.given_name, r.family_name, r.email, r.phone))
        )
        if len(batch) >= 5000:
            conn.execute(words.insert(), batch)
            batch = []
    if batch:
        conn.execute(words.insert(), batch)


def downgrade() -> None:
    op.drop_index(op.f("ix_client_search_words_covering"), table_name="client_search_words")
    op.drop_index(op.f("ix_client_search_words_clinic_client"), table_name="client_search_words")
    op.drop_table("client_search_words")
