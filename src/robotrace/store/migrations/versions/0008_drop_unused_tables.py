"""Drop the tables ``complaints`` and ``block_entries``, which nothing ever wrote: complaints
live in the analytics store (Parquet, docs/formats.md) and the block list in the kept
versions of ``blocklist_versions``. The downgrade makes them again, empty, as 0001 did.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 23:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("block_entries")
    op.drop_table("complaints")


def downgrade() -> None:
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "ftc",
                "fcc",
                name="complaint_source",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("row_key", sa.String(length=64), nullable=False),
        sa.Column("company_phone_number", sa.String(length=64), nullable=False),
        sa.Column("company_e164", sa.String(length=16), nullable=True),
        sa.Column("created_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("violation_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consumer_city", sa.String(length=100), nullable=False),
        sa.Column("consumer_state", sa.String(length=64), nullable=False),
        sa.Column("consumer_area_code", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("robocall", sa.Boolean(), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_complaints_campaign_id_campaigns")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("source", "row_key", name=op.f("uq_complaints_source_row_key")),
    )
    op.create_index(op.f("ix_complaints_campaign_id"), "complaints", ["campaign_id"])
    op.create_index(op.f("ix_complaints_company_e164"), "complaints", ["company_e164"])
    op.create_index(op.f("ix_complaints_created_date"), "complaints", ["created_date"])

    op.create_table(
        "block_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "provider",
                "number",
                name="block_entry_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.String(length=16), nullable=True),
        sa.Column("authorization_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(kind = 'provider' AND provider_id IS NOT NULL AND number IS NULL)"
            " OR (kind = 'number' AND number IS NOT NULL AND provider_id IS NULL)",
            name=op.f("ck_block_entries_target_matches_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["authorization_id"],
            ["enforcement_actions.id"],
            name=op.f("fk_block_entries_authorization_id_enforcement_actions"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_block_entries_provider_id_providers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_block_entries")),
    )
    op.create_index(
        op.f("ix_block_entries_authorization_id"), "block_entries", ["authorization_id"]
    )
    op.create_index(op.f("ix_block_entries_number"), "block_entries", ["number"])
    op.create_index(op.f("ix_block_entries_provider_id"), "block_entries", ["provider_id"])
    op.create_index(op.f("ix_block_entries_version"), "block_entries", ["version"])
