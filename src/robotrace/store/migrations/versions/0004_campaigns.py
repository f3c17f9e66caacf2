"""Campaigns: what grouping found (typical transcript, call-back numbers, first and last
seen, call count) and the traceback priority.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 17:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FILLED = ("representative", "callback_numbers", "call_count", "priority")


def upgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("representative", sa.Text(), nullable=False, server_default=sa.text("''"))
        )
        batch_op.add_column(
            sa.Column("callback_numbers", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("call_count", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.add_column(
            sa.Column("priority", sa.Float(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    # The defaults only filled the existing rows; the models give every new row its value.
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        for column in _FILLED:
            batch_op.alter_column(column, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        for column in ("updated_at", "last_seen_at", "first_seen_at", *_FILLED):
            batch_op.drop_column(column)
