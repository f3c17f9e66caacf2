"""STIR/SHAKEN on the evidence: each call's verification result, and each traceback's
signer shortcut (the signing provider, its direct request and answer, on the path or not).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 18:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CALL_COLUMNS = (
    ("shaken_valid", sa.Boolean()),
    ("shaken_code", sa.Integer()),
    ("shaken_reason", sa.Text()),
    ("shaken_attest", sa.String(length=1)),
    ("shaken_spc", sa.String(length=16)),
    ("shaken_origid", sa.String(length=64)),
    ("verified_at", sa.DateTime(timezone=True)),
)
_TRACEBACK_COLUMNS = (
    ("signer_ocn", sa.String(length=16)),
    ("signer_attest", sa.String(length=1)),
    ("signer_origid", sa.String(length=64)),
    ("signer_requested_at", sa.DateTime(timezone=True)),
    ("signer_due_at", sa.DateTime(timezone=True)),
    ("signer_answer", sa.String(length=16)),
    ("signer_answered_at", sa.DateTime(timezone=True)),
    ("signer_upstream", sa.String(length=16)),
    ("signer_customer", sa.String(length=200)),
    ("signer_note", sa.Text()),
    ("signer_on_path", sa.Boolean()),
)


def upgrade() -> None:
    with op.batch_alter_table("calls", schema=None) as batch_op:
        for name, kind in _CALL_COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))
    with op.batch_alter_table("tracebacks", schema=None) as batch_op:
        for name, kind in _TRACEBACK_COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))
        batch_op.create_index(batch_op.f("ix_tracebacks_signer_ocn"), ["signer_ocn"])


def downgrade() -> None:
    with op.batch_alter_table("tracebacks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracebacks_signer_ocn"))
        for name, _ in reversed(_TRACEBACK_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table("calls", schema=None) as batch_op:
        for name, _ in reversed(_CALL_COLUMNS):
            batch_op.drop_column(name)
