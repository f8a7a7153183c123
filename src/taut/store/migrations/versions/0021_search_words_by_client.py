"""Client search: the words of one client by (clinic, client, word), so that "has this client a word starting
with ..." is one index seek (the search's filter for every query word after the first; docs/records.md)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_client_search_words_clinic_client_word"),
        "client_search_words",
        ["clinic_id", "client_id", "word"],
    )
    op.drop_index(op.f("ix_client_search_words_clinic_client"), table_name="client_search_words")


def downgrade() -> None:
    op.create_index(
        op.f("ix_client_search_words_clinic_client"), "client_search_words", ["clinic_id", "client_id"]
    )
    op.drop_index(op.f("ix_client_search_words_clinic_client_word"), table_name="client_search_words")
