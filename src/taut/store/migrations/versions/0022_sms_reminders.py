"""SMS reminders: the outbox's channel (e-mail or SMS), the clinic's switch for SMS reminders and the client's
consent to them (the day it was given; empty: no SMS)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mail_outbox") as batch:
        batch.add_column(sa.Column("channel", sa.String(length=10), nullable=False, server_default="email"))
    with op.batch_alter_table("booking_settings") as batch:
        batch.add_column(sa.Column("sms_reminders", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("clients") as batch:
        batch.add_column(sa.Column("sms_consent_on", sa.Date(), nullable=True))


def downgrade() -> None:
    # an SMS still queued would be sent as an e-mail to a phone number by the older code: drop them first
    op.execute("DELETE FROM mail_outbox WHERE channel <> 'email'")
    with op.batch_alter_table("clients") as batch:
        batch.drop_column("sms_consent_on")
    with op.batch_alter_table("booking_settings") as batch:
        batch.drop_column("sms_reminders")
    with op.batch_alter_table("mail_outbox") as batch:
        batch.drop_column("channel")
