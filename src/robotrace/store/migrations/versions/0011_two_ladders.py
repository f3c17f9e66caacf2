"""The rules since 2024 (issue 18): the mandatory ladder of 47 CFR 64.1200(n) beside the
permissive K4 one. Enforcement actions gain the kinds ``notification``,
``initial_determination`` and ``final_determination``, their ladder, the step they follow,
a response deadline, the worker's proposal, named findings and a final order's downstream
providers; mitigation reports say what kind of response they are; ``blocking_notices``
records who blocks under a K4 authorization since when, with its notice to the FCC.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 05:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)
_OLD_KINDS = ("warning_letter", "cease_and_desist", "block_authorization", "revocation")
_NEW_KINDS = (*_OLD_KINDS, "notification", "initial_determination", "final_determination")
_ACTION_COLUMNS = (
    "ladder",
    "follows_id",
    "respond_by",
    "proposal",
    "proposal_text",
    "proposed_at",
    "named_findings",
    "downstream",
)


def _kind(values: Sequence[str]) -> sa.Enum:
    return sa.Enum(
        *values,
        name="enforcement_kind",
        native_enum=False,
        create_constraint=True,
        length=32,
    )


def upgrade() -> None:
    with op.batch_alter_table("enforcement_actions", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=_kind(_OLD_KINDS), type_=_kind(_NEW_KINDS))
        batch_op.add_column(
            sa.Column("ladder", sa.String(length=8), nullable=False, server_default="k4")
        )
        batch_op.add_column(sa.Column("follows_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("respond_by", _TIME, nullable=True))
        batch_op.add_column(sa.Column("proposal", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("proposal_text", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("proposed_at", _TIME, nullable=True))
        batch_op.add_column(
            sa.Column("named_findings", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(sa.Column("downstream", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.create_foreign_key(
            batch_op.f("fk_enforcement_actions_follows_id_enforcement_actions"),
            "enforcement_actions",
            ["follows_id"],
            ["id"],
        )
    with op.batch_alter_table("mitigation_reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="report")
        )
        batch_op.add_column(sa.Column("upstreams", sa.JSON(), nullable=False, server_default="[]"))
    op.create_table(
        "blocking_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authorization_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("since", _TIME, nullable=False),
        sa.Column("declared_at", _TIME, nullable=False),
        sa.Column("declared_by", sa.Integer(), nullable=True),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("calls_blocked", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authorization_id"],
            ["enforcement_actions.id"],
            name=op.f("fk_blocking_notices_authorization_id_enforcement_actions"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_blocking_notices_provider_id_providers"),
        ),
        sa.ForeignKeyConstraint(
            ["declared_by"], ["users.id"], name=op.f("fk_blocking_notices_declared_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blocking_notices")),
        sa.UniqueConstraint(
            "authorization_id",
            "provider_id",
            name=op.f("uq_blocking_notices_authorization_id_provider_id"),
        ),
    )
    op.create_index(
        op.f("ix_blocking_notices_authorization_id"), "blocking_notices", ["authorization_id"]
    )
    op.create_index(op.f("ix_blocking_notices_provider_id"), "blocking_notices", ["provider_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_blocking_notices_provider_id"), table_name="blocking_notices")
    op.drop_index(op.f("ix_blocking_notices_authorization_id"), table_name="blocking_notices")
    op.drop_table("blocking_notices")
    with op.batch_alter_table("mitigation_reports", schema=None) as batch_op:
        batch_op.drop_column("upstreams")
        batch_op.drop_column("kind")
    # Steps of the mandatory ladder cannot be kept under the old kinds.
    action_table = sa.table(
        "enforcement_actions", sa.column("id", sa.Integer), sa.column("kind", sa.String)
    )
    mandatory = sa.select(action_table.c.id).where(
        action_table.c.kind.in_(_NEW_KINDS[len(_OLD_KINDS) :])
    )
    report_table = sa.table("mitigation_reports", sa.column("action_id", sa.Integer))
    op.execute(report_table.delete().where(report_table.c.action_id.in_(mandatory)))
    with op.batch_alter_table("enforcement_actions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_enforcement_actions_follows_id_enforcement_actions"), type_="foreignkey"
        )
        for column in _ACTION_COLUMNS:
            batch_op.drop_column(column)
    op.execute(action_table.delete().where(action_table.c.kind.in_(_NEW_KINDS[len(_OLD_KINDS) :])))
    with op.batch_alter_table("enforcement_actions", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=_kind(_NEW_KINDS), type_=_kind(_OLD_KINDS))
