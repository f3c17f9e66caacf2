"""A traceback opened by mistake can be withdrawn by a coordinator (issue 22): the outcome
``withdrawn`` joins the others in the ``traceback_outcome`` check.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 15:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD = ("origin_identified", "foreign_origin", "non_responsive", "not_found", "loop")
_NEW = (*_OLD, "withdrawn")


def _outcome(values: Sequence[str]) -> sa.Enum:
    return sa.Enum(
        *values, name="traceback_outcome", native_enum=False, create_constraint=True, length=32
    )


def upgrade() -> None:
    with op.batch_alter_table("tracebacks", schema=None) as batch_op:
        batch_op.alter_column("outcome", existing_type=_outcome(_OLD), type_=_outcome(_NEW))


def downgrade() -> None:
    op.execute("UPDATE tracebacks SET outcome = NULL WHERE outcome = 'withdrawn'")
    with op.batch_alter_table("tracebacks", schema=None) as batch_op:
        batch_op.alter_column("outcome", existing_type=_outcome(_NEW), type_=_outcome(_OLD))
