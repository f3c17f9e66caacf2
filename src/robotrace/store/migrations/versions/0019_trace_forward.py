"""Trace Forward requests: asking the carrier a campaign call-back number was assigned to
whose it is (issue 23).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 15:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "trace_forward_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("block", sa.String(length=7), nullable=False),
        sa.Column("ocn", sa.String(length=16), nullable=False),
        sa.Column("asked_by", sa.String(length=200), nullable=False),
        sa.Column("requested_at", _TIME, nullable=False),
        sa.Column("due_at", _TIME, nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=True),
        sa.Column("customer", sa.String(length=200), nullable=False),
        sa.Column("customer_contact", sa.Text(), nullable=False),
        sa.Column("now_served_by", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("answered_at", _TIME, nullable=True),
        sa.Column("answered_by", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "answer IS NULL OR answer IN ('assigned', 'not_ours', 'not_assigned', 'refused')",
            name=op.f("ck_trace_forward_requests_answer"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_trace_forward_requests_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_trace_forward_requests_provider_id_providers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trace_forward_requests")),
    )
    op.create_index(
        op.f("ix_trace_forward_requests_campaign_id"),
        "trace_forward_requests",
        ["campaign_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_trace_forward_requests_provider_id"),
        "trace_forward_requests",
        ["provider_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_trace_forward_requests_provider_id"), table_name="trace_forward_requests"
    )
    op.drop_index(
        op.f("ix_trace_forward_requests_campaign_id"), table_name="trace_forward_requests"
    )
    op.drop_table("trace_forward_requests")
