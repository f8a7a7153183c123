"""One home for facts that had two:

- a practitioner's credentials and registration number are the user's account's (``users``), which the account
  page, notes, letters and receipts all read; the copies in ``practitioner_profiles`` go, and a value kept only
  there (set on the book's hours page) moves to the account first, where the account had none;
- the clinic's address, currency and tax number are the clinic profile's (``clinics``); the copies in
  ``booking_settings`` go. The receipts printed the booking settings' values, so a clinic that saved them keeps
  them: its currency replaces the profile's, and its address and tax number fill the profile's where empty.

Revision ID: 0017
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0015"
branch_labels = None
depends_on = None

# (column, its width on the account)
CREDENTIALS = (("credentials", 100), ("registration_number", 60))


def _fill(target: str, column: str, source: str, key: str, value: str) -> None:
    """``target.column`` from ``source`` (joined on ``source.key = target.id``) where the target's is empty and the
    source's is not."""
    op.execute(
        f"""
        UPDATE {target} SET {column} = (SELECT {value} FROM {source} s WHERE s.{key} = {target}.id)
        WHERE ({target}.{column} IS NULL OR {target}.{column} = '')
          AND EXISTS (SELECT 1 FROM {source} s WHERE s.{key} = {target}.id AND s.{column} <> '')
        """
    )


def upgrade() -> None:
    for column, width in CREDENTIALS:
        _fill("users", column, "practitioner_profiles", "user_id", f"substr(s.{column}, 1, {width})")
    with op.batch_alter_table("practitioner_profiles", schema=None) as batch_op:
        batch_op.drop_column("registration_number")
        batch_op.drop_column("credentials")
    for column in ("address", "tax_number"):
        _fill("clinics", column, "booking_settings", "clinic_id", f"s.{column}")
    op.execute(
        """
        UPDATE clinics SET currency = (SELECT upper(s.currency) FROM booking_settings s WHERE s.clinic_id = clinics.id)
        WHERE EXISTS (SELECT 1 FROM booking_settings s WHERE s.clinic_id = clinics.id)
        """
    )
    with op.batch_alter_table("booking_settings", schema=None) as batch_op:
        batch_op.drop_column("address")
        batch_op.drop_column("tax_number")
        batch_op.drop_column("currency")


def _copy_back(target: str, key: str, source: str, columns: tuple[str, ...]) -> None:
    for column in columns:
        op.execute(
            f"""
            UPDATE {target} SET {column} = COALESCE(
                (SELECT s.{column} FROM {source} s WHERE s.id = {target}.{key}), {target}.{column}
            )
            """
        )


def downgrade() -> None:
    with op.batch_alter_table("booking_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("currency", sa.String(length=3), nullable=False, server_default="USD"))
        batch_op.add_column(sa.Column("tax_number", sa.String(length=60), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("address", sa.String(length=500), nullable=False, server_default=""))
    _copy_back("booking_settings", "clinic_id", "clinics", ("currency", "tax_number", "address"))
    with op.batch_alter_table("practitioner_profiles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("credentials", sa.String(length=120), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("registration_number", sa.String(length=60), nullable=False, server_default="")
        )
    _copy_back("practitioner_profiles", "user_id", "users", tuple(c for c, _ in CREDENTIALS))
