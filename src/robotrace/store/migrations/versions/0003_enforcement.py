"""Enforcement: block-authorization columns, mitigation reports, and the kept versions of
the block list.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ACTION_COLUMNS = (
    "scope",
    "numbers",
    "effective_at",
    "reason",
    "letter_id",
    "lifted_at",
    "lifted_by",
)


def upgrade() -> None:
    with op.batch_alter_table("enforcement_actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("numbers", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(sa.Column("effective_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("reason", sa.Text(), nullable=False, server_default=sa.text("''"))
        )
        batch_op.add_column(sa.Column("letter_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("lifted_by", sa.String(length=200), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_enforcement_actions_letter_id_enforcement_actions"),
            "enforcement_actions",
            ["letter_id"],
            ["id"],
        )
    # The defaults only filled the existing rows; the models give every new row its value.
    with op.batch_alter_table("enforcement_actions", schema=None) as batch_op:
        batch_op.alter_column("numbers", server_default=None)
        batch_op.alter_column("reason", server_default=None)

    op.create_table(
        "mitigation_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filed_by", sa.Integer(), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["enforcement_actions.id"],
            name=op.f("fk_mitigation_reports_action_id_enforcement_actions"),
        ),
        sa.ForeignKeyConstraint(
            ["filed_by"], ["users.id"], name=op.f("fk_mitigation_reports_filed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_mitigation_reports_provider_id_providers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mitigation_reports")),
    )
    op.create_index(op.f("ix_mitigation_reports_action_id"), "mitigation_reports", ["action_id"])

    op.create_table(
        "blocklist_versions",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("etag", sa.String(length=80), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.Column("csv", sa.Text(), nullable=False),
        sa.Column("csv_etag", sa.String(length=80), nullable=False),
        sa.Column("csv_signature", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_blocklist_versions")),
    )


def downgrade() -> None:
    op.drop_table("blocklist_versions")
    op.drop_index(op.f("ix_mitigation_reports_action_id"), table_name="mitigation_reports")
    op.drop_table("mitigation_reports")
    with op.batch_alter_table("enforcement_actions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_enforcement_actions_letter_id_enforcement_actions"), type_="foreignkey"
        )
        for column in _ACTION_COLUMNS:
            batch_op.drop_column(column)
