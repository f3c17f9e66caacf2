"""Each kind of enforcement step numbers its own sequence (WL-000001, BA-000001 …), and a
letter or notification can be saved as a draft before it is sent (issue 22).

Existing steps keep their references: their number is their row id (the reference they were
sent, published on the block list and quoted in 603+ responses under), and each kind's
counter starts after its highest number.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 14:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("enforcement_actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.Integer(), nullable=True))
    op.execute("UPDATE enforcement_actions SET number = id")
    with op.batch_alter_table("enforcement_actions", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_enforcement_actions_kind_number"), ["kind", "number"]
        )
    op.create_table(
        "step_counters",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_step_counters")),
    )
    op.execute(
        "INSERT INTO step_counters (kind, last) "
        "SELECT kind, MAX(number) FROM enforcement_actions GROUP BY kind"
    )
    op.create_table(
        "enforcement_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("named_campaigns", sa.JSON(), nullable=False),
        sa.Column("named_originators", sa.JSON(), nullable=False),
        sa.Column("named_findings", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_enforcement_drafts_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_enforcement_drafts_provider_id_providers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_drafts")),
    )
    with op.batch_alter_table("enforcement_drafts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enforcement_drafts_provider_id"), ["provider_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("enforcement_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enforcement_drafts_provider_id"))
    op.drop_table("enforcement_drafts")
    op.drop_table("step_counters")
    with op.batch_alter_table("enforcement_actions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_enforcement_actions_kind_number"), type_="unique")
        batch_op.drop_column("number")
