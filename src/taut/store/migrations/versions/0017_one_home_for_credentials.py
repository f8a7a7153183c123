"""One home for a practitioner's credentials and registration number: the user's account (``users``), which the
account page, notes, letters and receipts all read. The copies in ``practitioner_profiles`` go; a value kept
only there (set on the book's hours page) moves to the account first, where the account had none.

Revision ID: 0017
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0012"
branch_labels = None
depends_on = None

# (column, its width on the account)
MOVED = (("credentials", 100), ("registration_number", 60))


def upgrade() -> None:
    for column, width in MOVED:
        op.execute(
            f"""
            UPDATE users SET {column} = (
                SELECT substr(p.{column}, 1, {width}) FROM practitioner_profiles p WHERE p.user_id = users.id
            )
            WHERE (users.{column} IS NULL OR users.{column} = '')
              AND EXISTS (
                SELECT 1 FROM practitioner_profiles p WHERE p.user_id = users.id AND p.{column} <> ''
              )
            """
        )
    with op.batch_alter_table("practitioner_profiles", schema=None) as batch_op:
        batch_op.drop_column("registration_number")
        batch_op.drop_column("credentials")


def downgrade() -> None:
    with op.batch_alter_table("practitioner_profiles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("credentials", sa.String(length=120), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("registration_number", sa.String(length=60), nullable=False, server_default="")
        )
    for column, _width in MOVED:
        op.execute(
            f"""
            UPDATE practitioner_profiles SET {column} = COALESCE(
                (SELECT u.{column} FROM users u WHERE u.id = practitioner_profiles.user_id), ''
            )
            """
        )
