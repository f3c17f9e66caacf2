"""Calls blocked, per blocker, authorization or order, and reason (issue 19).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 08:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "blocking_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("blocker", sa.String(length=100), nullable=False),
        sa.Column("period_start", _TIME, nullable=False),
        sa.Column("period_end", _TIME, nullable=False),
        sa.Column("received_at", _TIME, nullable=False),
        sa.Column("reported_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_blocking_reports_provider_id_providers"),
        ),
        sa.ForeignKeyConstraint(
            ["reported_by"], ["users.id"], name=op.f("fk_blocking_reports_reported_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blocking_reports")),
        sa.UniqueConstraint(
            "provider_id",
            "blocker",
            "period_start",
            name=op.f("uq_blocking_reports_provider_id_blocker_period_start"),
        ),
    )
    op.create_index(
        op.f("ix_blocking_reports_provider_id"), "blocking_reports", ["provider_id"], unique=False
    )
    op.create_table(
        "blocking_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("authorization_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("calls", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("calls >= 0", name=op.f("ck_blocking_counts_calls")),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["blocking_reports.id"],
            name=op.f("fk_blocking_counts_report_id_blocking_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["authorization_id"],
            ["enforcement_actions.id"],
            name=op.f("fk_blocking_counts_authorization_id_enforcement_actions"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["enforcement_actions.id"],
            name=op.f("fk_blocking_counts_order_id_enforcement_actions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blocking_counts")),
    )
    op.create_index(
        op.f("ix_blocking_counts_report_id"), "blocking_counts", ["report_id"], unique=False
    )
    op.create_index(
        op.f("ix_blocking_counts_authorization_id"),
        "blocking_counts",
        ["authorization_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_blocking_counts_authorization_id"), table_name="blocking_counts")
    op.drop_index(op.f("ix_blocking_counts_report_id"), table_name="blocking_counts")
    op.drop_table("blocking_counts")
    op.drop_index(op.f("ix_blocking_reports_provider_id"), table_name="blocking_reports")
    op.drop_table("blocking_reports")
