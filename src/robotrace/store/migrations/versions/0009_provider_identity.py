"""Providers without OCNs (issue 17): ``providers.ocn`` becomes robotrace's own ``key`` (the
existing OCNs stay the keys), RMD numbers, FRNs, OCNs and names move to
``provider_identifiers``, the RMD's contact and address are kept, and the RMD's imports,
filings and removals get tables of their own. Provider keys elsewhere (``signer_ocn``,
``audit_events.provider_ocn``) are renamed to say so.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 01:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = sa.String(length=32)
_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    _create_identifiers()
    _move_identifiers_out_of_providers()
    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.drop_constraint("uq_providers_ocn", type_="unique")
        batch_op.alter_column("ocn", new_column_name="key", type_=KEY, existing_nullable=False)
    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f("uq_providers_key"), ["key"])
        batch_op.alter_column("business_name", type_=sa.Text(), existing_nullable=False)
        batch_op.alter_column("implementation", type_=sa.Text(), existing_nullable=False)
        batch_op.alter_column("contact_email", type_=sa.String(254), existing_nullable=False)
        batch_op.drop_column("rmd_number")
        batch_op.drop_column("frn")
        batch_op.add_column(
            sa.Column("business_address", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("rmd_contact", sa.JSON(), nullable=False, server_default="{}")
        )
    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.alter_column("business_address", server_default=None)
        batch_op.alter_column("rmd_contact", server_default=None)
    _rename_key_columns()
    _create_rmd_tables()


def _create_identifiers() -> None:
    op.create_table(
        "provider_identifiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("folded", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('key', 'rmd', 'frn', 'ocn', 'name')",
            name=op.f("ck_provider_identifiers_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_provider_identifiers_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_identifiers")),
    )
    op.create_index(
        op.f("ix_provider_identifiers_provider_id"), "provider_identifiers", ["provider_id"]
    )
    op.create_index(
        "uq_provider_identifiers_kind_value",
        "provider_identifiers",
        ["kind", "value"],
        unique=True,
        sqlite_where=sa.text("kind <> 'name'"),
        postgresql_where=sa.text("kind <> 'name'"),
    )


def _move_identifiers_out_of_providers() -> None:
    """Every stored provider keeps its OCN (as key and as an ``ocn``), its RMD number, FRN
    and name; an RMD number or FRN two providers shared stays with the first."""
    rows = op.get_bind().execute(
        sa.text("SELECT id, ocn, rmd_number, frn, business_name FROM providers ORDER BY id")
    )
    taken: set[tuple[str, str]] = set()
    values = []
    for provider_id, ocn, rmd, frn, name in rows:
        for kind, value in (("ocn", ocn), ("rmd", rmd.strip().upper()), ("frn", _frn(frn))):
            if value and (kind, value) not in taken:
                taken.add((kind, value))
                values.append({"p": provider_id, "k": kind, "v": value, "f": value.casefold()})
        if name.strip():
            values.append({"p": provider_id, "k": "name", "v": name, "f": name.casefold()})
    if values:
        op.get_bind().execute(
            sa.text(
                "INSERT INTO provider_identifiers (provider_id, kind, value, folded)"
                " VALUES (:p, :k, :v, :f)"
            ),
            values,
        )


def _frn(text: str) -> str:
    digits = text.strip()
    return digits.zfill(10) if digits.isascii() and digits.isdigit() and len(digits) <= 10 else ""


def _rename_key_columns() -> None:
    with op.batch_alter_table("tracebacks", schema=None) as batch_op:
        batch_op.drop_index("ix_tracebacks_signer_ocn")
        batch_op.alter_column("signer_ocn", new_column_name="signer_key", type_=KEY)
        batch_op.alter_column("signer_upstream", type_=KEY)
    op.create_index(op.f("ix_tracebacks_signer_key"), "tracebacks", ["signer_key"])
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_provider_ocn")
        batch_op.alter_column("provider_ocn", new_column_name="provider_key", type_=KEY)
    op.create_index(op.f("ix_audit_events_provider_key"), "audit_events", ["provider_key"])


def _create_rmd_tables() -> None:
    op.create_table(
        "rmd_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("imported_at", _TIME, nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in ("filings", "added", "updated", "unchanged", "not_in_export", "refused")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rmd_imports")),
    )
    op.create_index(op.f("ix_rmd_imports_imported_at"), "rmd_imports", ["imported_at"])
    op.create_table(
        "rmd_filings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("first_import_id", sa.Integer(), nullable=False),
        sa.Column("last_import_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_rmd_filings_provider_id_providers")
        ),
        sa.ForeignKeyConstraint(
            ["first_import_id"],
            ["rmd_imports.id"],
            name=op.f("fk_rmd_filings_first_import_id_rmd_imports"),
        ),
        sa.ForeignKeyConstraint(
            ["last_import_id"],
            ["rmd_imports.id"],
            name=op.f("fk_rmd_filings_last_import_id_rmd_imports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rmd_filings")),
        sa.UniqueConstraint("number", name=op.f("uq_rmd_filings_number")),
    )
    op.create_index(op.f("ix_rmd_filings_provider_id"), "rmd_filings", ["provider_id"])
    op.create_index(op.f("ix_rmd_filings_last_import_id"), "rmd_filings", ["last_import_id"])
    op.create_table(
        "rmd_import_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("filing_id", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["rmd_imports.id"],
            name=op.f("fk_rmd_import_entries_import_id_rmd_imports"),
        ),
        sa.ForeignKeyConstraint(
            ["filing_id"],
            ["rmd_filings.id"],
            name=op.f("fk_rmd_import_entries_filing_id_rmd_filings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rmd_import_entries")),
    )
    op.create_index(op.f("ix_rmd_import_entries_import_id"), "rmd_import_entries", ["import_id"])
    op.create_index(op.f("ix_rmd_import_entries_filing_id"), "rmd_import_entries", ["filing_id"])
    op.create_table(
        "rmd_removals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("order_reference", sa.String(length=200), nullable=False),
        sa.Column("removed_at", _TIME, nullable=False),
        sa.Column("entered_by", sa.String(length=200), nullable=False),
        sa.Column("entered_at", _TIME, nullable=False),
        sa.Column("reinstated_at", _TIME, nullable=True),
        sa.Column("reinstated_by", sa.String(length=200), nullable=True),
        sa.Column("reinstatement_reference", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_rmd_removals_provider_id_providers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rmd_removals")),
    )
    op.create_index(op.f("ix_rmd_removals_provider_id"), "rmd_removals", ["provider_id"])


def downgrade() -> None:
    for table in ("rmd_removals", "rmd_import_entries", "rmd_filings", "rmd_imports"):
        op.drop_table(table)
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_provider_key")
        batch_op.alter_column("provider_key", new_column_name="provider_ocn", type_=sa.String(16))
    op.create_index(op.f("ix_audit_events_provider_ocn"), "audit_events", ["provider_ocn"])
    with op.batch_alter_table("tracebacks", schema=None) as batch_op:
        batch_op.drop_index("ix_tracebacks_signer_key")
        batch_op.alter_column("signer_key", new_column_name="signer_ocn", type_=sa.String(16))
        batch_op.alter_column("signer_upstream", type_=sa.String(16))
    op.create_index(op.f("ix_tracebacks_signer_ocn"), "tracebacks", ["signer_ocn"])
    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.drop_column("rmd_contact")
        batch_op.drop_column("business_address")
        batch_op.add_column(sa.Column("frn", sa.String(32), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("rmd_number", sa.String(32), nullable=False, server_default="")
        )
        batch_op.drop_constraint("uq_providers_key", type_="unique")
        batch_op.alter_column("key", new_column_name="ocn", type_=sa.String(16))
    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f("uq_providers_ocn"), ["ocn"])
        batch_op.alter_column("business_name", type_=sa.String(200), existing_nullable=False)
        batch_op.alter_column("implementation", type_=sa.String(64), existing_nullable=False)
        batch_op.alter_column("contact_email", type_=sa.String(200), existing_nullable=False)
    _restore_identifiers_into_providers()
    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.alter_column("frn", server_default=None)
        batch_op.alter_column("rmd_number", server_default=None)
    op.drop_index("uq_provider_identifiers_kind_value", table_name="provider_identifiers")
    op.drop_index(op.f("ix_provider_identifiers_provider_id"), table_name="provider_identifiers")
    op.drop_table("provider_identifiers")


def _restore_identifiers_into_providers() -> None:
    """The first RMD number and FRN of each provider go back (the old schema holds one of
    each)."""
    bind = op.get_bind()
    for kind, column in (("rmd", "rmd_number"), ("frn", "frn")):
        bind.execute(
            sa.text(
                f"UPDATE providers SET {column} = COALESCE((SELECT MIN(value) FROM"
                " provider_identifiers i WHERE i.provider_id = providers.id"
                f" AND i.kind = '{kind}'), '')"
            )
        )
