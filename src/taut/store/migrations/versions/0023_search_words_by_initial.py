"""Client search: the words by (clinic, first character, names, client), so that a one-letter search reads
its matches in name order and stops after the page, instead of sorting every word that starts with the letter
(about 18,000 at 100,000 clients; docs/records.md)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_client_search_words_initial"),
        "client_search_words",
        ["clinic_id", sa.text("substr(word, 1, 1)"), "family_name", "given_name", "client_id", "word"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_client_search_words_initial"), table_name="client_search_words")
