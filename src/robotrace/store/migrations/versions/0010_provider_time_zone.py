"""A provider's time zone (issue 18): ``providers.time_zone``, the IANA zone an admin set for
its business hours; empty (NULL) means the zone of its address's state, else the
``business_zone`` setting (robotrace.providers.zones).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 01:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.drop_column("time_zone")
