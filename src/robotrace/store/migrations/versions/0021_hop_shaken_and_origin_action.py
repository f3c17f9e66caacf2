"""What each hop saw of STIR/SHAKEN (the attestation and signer it received) and the action an
originating provider took with its customer (issue 23, items 2 and 3).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 15:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("hops") as batch:
        batch.add_column(sa.Column("received_attest", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("received_signer", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("origin_action", sa.String(length=24), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("hops") as batch:
        batch.drop_column("origin_action")
        batch.drop_column("received_signer")
        batch.drop_column("received_attest")
