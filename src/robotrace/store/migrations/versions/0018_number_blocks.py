"""Number blocks: who each NANP central office code and thousands block was assigned to, for
Trace Forward (issue 23).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 15:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "number_blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=7), nullable=False),
        sa.Column("ocn", sa.String(length=16), nullable=False),
        sa.Column("company", sa.Text(), nullable=False),
        sa.Column("rate_center", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "source IN (\x27nanpa-cocodes\x27, \x27pooling-blocks\x27)",
            name=op.f("ck_number_blocks_source"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_number_blocks")),
        sa.UniqueConstraint("prefix", name=op.f("uq_number_blocks_prefix")),
    )
    op.create_index(op.f("ix_number_blocks_ocn"), "number_blocks", ["ocn"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_number_blocks_ocn"), table_name="number_blocks")
    op.drop_table("number_blocks")
