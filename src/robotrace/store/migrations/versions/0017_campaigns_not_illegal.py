"""A coordinator can mark a campaign "not illegal" (a legitimate recurring message: a
pharmacy, a dental office) with a reason, which takes it out of the queue (issue 22):
``campaigns.status`` is ``open`` or ``not_illegal``, and who set it, when and why are kept.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 15:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status_reason", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("status_by", sa.String(200), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("status_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.execute("UPDATE campaigns SET status = 'open' WHERE status = 'not_illegal'")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("status_at")
        batch_op.drop_column("status_by")
        batch_op.drop_column("status_reason")
