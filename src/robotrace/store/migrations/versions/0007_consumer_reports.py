"""Consumer reports: the call a consumer reported (``consumer_reports``) and, apart, who sent
it (``report_senders``: name, e-mail and the hashed client address for rate limits).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "consumer_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("received_at", _TIME, nullable=False),
        sa.Column("calling_number", sa.String(length=16), nullable=False),
        sa.Column("called_number", sa.String(length=16), nullable=False),
        sa.Column("call_time", _TIME, nullable=False),
        sa.Column("recorded_message", sa.Boolean(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("transcript", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=64), nullable=False),
        sa.Column("via", sa.String(length=8), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=True),
        sa.Column("fed_at", _TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_consumer_reports_call_id_calls")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consumer_reports")),
        sa.UniqueConstraint("reference", name=op.f("uq_consumer_reports_reference")),
    )
    op.create_index(
        "ix_consumer_reports_called_calling",
        "consumer_reports",
        ["called_number", "calling_number"],
    )
    for column in ("received_at", "call_id", "fed_at"):
        op.create_index(op.f(f"ix_consumer_reports_{column}"), "consumer_reports", [column])

    op.create_table(
        "report_senders",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["consumer_reports.id"],
            name=op.f("fk_report_senders_report_id_consumer_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_report_senders")),
    )
    op.create_index(op.f("ix_report_senders_client_key"), "report_senders", ["client_key"])


def downgrade() -> None:
    op.drop_index(op.f("ix_report_senders_client_key"), table_name="report_senders")
    op.drop_table("report_senders")
    for column in ("fed_at", "call_id", "received_at"):
        op.drop_index(op.f(f"ix_consumer_reports_{column}"), table_name="consumer_reports")
    op.drop_index("ix_consumer_reports_called_calling", table_name="consumer_reports")
    op.drop_table("consumer_reports")
