"""The legal process log: subpoenas and civil investigative demands a regulator records
(issue 23, the annual report's figures).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 15:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "legal_process",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("agency", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("traceback_ids", sa.JSON(), nullable=False),
        sa.Column("campaign_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("withdrawn_reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.CheckConstraint(
            "kind IN ('subpoena', 'cid', 'other')", name=op.f("ck_legal_process_kind")
        ),
        sa.CheckConstraint(
            "status IN ('issued', 'withdrawn')", name=op.f("ck_legal_process_status")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_legal_process_provider_id_providers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_process")),
    )
    op.create_index(op.f("ix_legal_process_issued_on"), "legal_process", ["issued_on"])
    op.create_index(op.f("ix_legal_process_provider_id"), "legal_process", ["provider_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_legal_process_provider_id"), table_name="legal_process")
    op.drop_index(op.f("ix_legal_process_issued_on"), table_name="legal_process")
    op.drop_table("legal_process")
