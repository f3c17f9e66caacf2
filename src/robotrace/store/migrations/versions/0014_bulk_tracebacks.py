"""Federated bulk tracebacks: submissions, their calls and the batch requests to providers
(issue 21).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 08:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "bulk_tracebacks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=True),
        sa.Column("answer_within_s", sa.Integer(), nullable=False),
        sa.Column("tolerance_ms", sa.Integer(), nullable=False),
        sa.Column("max_hops", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("finished_at", _TIME, nullable=True),
        sa.CheckConstraint("status IN ('running', 'done')", name=op.f("ck_bulk_tracebacks_status")),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_bulk_tracebacks_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_tracebacks")),
    )
    op.create_index(
        op.f("ix_bulk_tracebacks_campaign_id"), "bulk_tracebacks", ["campaign_id"], unique=False
    )
    op.create_index(op.f("ix_bulk_tracebacks_status"), "bulk_tracebacks", ["status"], unique=False)
    op.create_table(
        "bulk_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bulk_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=128), nullable=False),
        sa.Column("campaign", sa.String(length=200), nullable=True),
        sa.Column("called_number", sa.String(length=64), nullable=False),
        sa.Column("calling_number", sa.String(length=64), nullable=False),
        sa.Column("t_ms", sa.BigInteger(), nullable=False),
        sa.Column("terminating_provider", sa.String(length=32), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("hop", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("end", sa.String(length=16), nullable=True),
        sa.Column("ended_at", _TIME, nullable=True),
        sa.CheckConstraint(
            "state IN ('waiting', 'asked', 'ended')", name=op.f("ck_bulk_calls_state")
        ),
        sa.ForeignKeyConstraint(
            ["bulk_id"],
            ["bulk_tracebacks.id"],
            name=op.f("fk_bulk_calls_bulk_id_bulk_tracebacks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_calls")),
        sa.UniqueConstraint("bulk_id", "call_id", name=op.f("uq_bulk_calls_bulk_id_call_id")),
    )
    op.create_index(
        "ix_bulk_calls_bulk_id_state_provider",
        "bulk_calls",
        ["bulk_id", "state", "provider"],
        unique=False,
    )
    op.create_table(
        "batch_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bulk_id", sa.Integer(), nullable=False),
        sa.Column("provider_key", sa.String(length=32), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("tolerance_ms", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("due_at", _TIME, nullable=False),
        sa.Column("answered_at", _TIME, nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'answered', 'expired')", name=op.f("ck_batch_requests_status")
        ),
        sa.ForeignKeyConstraint(
            ["bulk_id"],
            ["bulk_tracebacks.id"],
            name=op.f("fk_batch_requests_bulk_id_bulk_tracebacks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_batch_requests_provider_id_providers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_requests")),
    )
    op.create_index(
        "ix_batch_requests_provider_id_status",
        "batch_requests",
        ["provider_id", "status"],
        unique=False,
    )
    op.create_index(
        "ix_batch_requests_bulk_id_provider_key",
        "batch_requests",
        ["bulk_id", "provider_key"],
        unique=False,
    )
    op.create_index(op.f("ix_batch_requests_due_at"), "batch_requests", ["due_at"], unique=False)
    op.create_table(
        "batch_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("bulk_call_id", sa.Integer(), nullable=False),
        sa.Column("hop", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=True),
        sa.Column("upstream", sa.String(length=32), nullable=True),
        sa.Column("customer", sa.String(length=200), nullable=True),
        sa.Column("delta_ms", sa.Integer(), nullable=True),
        sa.Column("calling_matched", sa.Boolean(), nullable=True),
        sa.Column("answered_at", _TIME, nullable=True),
        sa.CheckConstraint(
            "answer IS NULL OR answer IN ('upstream', 'origin', 'not_found', 'unmapped')",
            name=op.f("ck_batch_calls_answer"),
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batch_requests.id"],
            name=op.f("fk_batch_calls_batch_id_batch_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["bulk_call_id"],
            ["bulk_calls.id"],
            name=op.f("fk_batch_calls_bulk_call_id_bulk_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_calls")),
        sa.UniqueConstraint("batch_id", "position", name=op.f("uq_batch_calls_batch_id_position")),
    )
    op.create_index(
        op.f("ix_batch_calls_bulk_call_id"), "batch_calls", ["bulk_call_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_batch_calls_bulk_call_id"), table_name="batch_calls")
    op.drop_table("batch_calls")
    op.drop_index(op.f("ix_batch_requests_due_at"), table_name="batch_requests")
    op.drop_index("ix_batch_requests_bulk_id_provider_key", table_name="batch_requests")
    op.drop_index("ix_batch_requests_provider_id_status", table_name="batch_requests")
    op.drop_table("batch_requests")
    op.drop_index("ix_bulk_calls_bulk_id_state_provider", table_name="bulk_calls")
    op.drop_table("bulk_calls")
    op.drop_index(op.f("ix_bulk_tracebacks_status"), table_name="bulk_tracebacks")
    op.drop_index(op.f("ix_bulk_tracebacks_campaign_id"), table_name="bulk_tracebacks")
    op.drop_table("bulk_tracebacks")
