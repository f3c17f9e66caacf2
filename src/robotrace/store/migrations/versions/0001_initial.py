"""The initial schema: every table of robotrace.models at version 0.1.

Revision ID: 0001
Revises:
Create Date: 2026-11-28 14:38:12.218609
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("traceback_id", sa.String(length=64), nullable=True),
        sa.Column("provider_ocn", sa.String(length=16), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(op.f("ix_audit_events_at"), "audit_events", ["at"])
    op.create_index(op.f("ix_audit_events_provider_ocn"), "audit_events", ["provider_ocn"])
    op.create_index(op.f("ix_audit_events_traceback_id"), "audit_events", ["traceback_id"])

    op.create_table(
        "campaigns",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_table(
        "providers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ocn", sa.String(length=16), nullable=False),
        sa.Column("business_name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=100), nullable=False),
        sa.Column("foreign", sa.Boolean(), nullable=False),
        sa.Column("rmd_number", sa.String(length=32), nullable=False),
        sa.Column("frn", sa.String(length=32), nullable=False),
        sa.Column("implementation", sa.String(length=64), nullable=False),
        sa.Column("voice_service_provider", sa.Boolean(), nullable=False),
        sa.Column("gateway_provider", sa.Boolean(), nullable=False),
        sa.Column("intermediate_provider", sa.Boolean(), nullable=False),
        sa.Column("last_recertified", sa.String(length=32), nullable=False),
        sa.Column("contact_email", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_providers")),
        sa.UniqueConstraint("ocn", name=op.f("uq_providers_ocn")),
    )
    op.create_table(
        "calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("source_ref", sa.String(length=128), nullable=False),
        sa.Column("calling_number", sa.String(length=64), nullable=False),
        sa.Column("calling_e164", sa.String(length=16), nullable=True),
        sa.Column("called_number", sa.String(length=64), nullable=False),
        sa.Column("called_e164", sa.String(length=16), nullable=True),
        sa.Column("call_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("terminating_provider_id", sa.Integer(), nullable=True),
        sa.Column("transcript", sa.Text(), nullable=False),
        sa.Column("identity", sa.Text(), nullable=True),
        sa.Column("recording", sa.String(length=500), nullable=True),
        sa.Column("campaign_id", sa.String(length=64), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_calls_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(
            ["terminating_provider_id"],
            ["providers.id"],
            name=op.f("fk_calls_terminating_provider_id_providers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
        sa.UniqueConstraint("source", "source_ref", name=op.f("uq_calls_source_source_ref")),
    )
    op.create_index(op.f("ix_calls_call_time"), "calls", ["call_time"])
    op.create_index(op.f("ix_calls_calling_e164"), "calls", ["calling_e164"])
    op.create_index(op.f("ix_calls_campaign_id"), "calls", ["campaign_id"])

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
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "coordinator",
                "regulator",
                "provider",
                name="user_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("password_hash", sa.String(length=256), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(role = 'provider' AND provider_id IS NOT NULL)"
            " OR (role <> 'provider' AND provider_id IS NULL)",
            name=op.f("ck_users_provider_id_iff_provider_role"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_users_provider_id_providers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_index(op.f("ix_users_provider_id"), "users", ["provider_id"])

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=256), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_prefix"), "api_tokens", ["prefix"])
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"])

    op.create_table(
        "enforcement_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "warning_letter",
                "cease_and_desist",
                "block_authorization",
                "revocation",
                name="enforcement_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mitigate_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("report_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("named_campaigns", sa.JSON(), nullable=False),
        sa.Column("named_originators", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("document", sa.Text(), nullable=True),
        sa.Column("issued_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["issued_by"], ["users.id"], name=op.f("fk_enforcement_actions_issued_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_enforcement_actions_provider_id_providers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_actions")),
    )
    op.create_index(
        op.f("ix_enforcement_actions_provider_id"), "enforcement_actions", ["provider_id"]
    )
    op.create_index(op.f("ix_enforcement_actions_status"), "enforcement_actions", ["status"])

    op.create_table(
        "tracebacks",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=True),
        sa.Column("calling_number", sa.String(length=64), nullable=False),
        sa.Column("called_number", sa.String(length=64), nullable=False),
        sa.Column("call_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("terminating_provider_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "closed",
                name="traceback_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "outcome",
            sa.Enum(
                "origin_identified",
                "foreign_origin",
                "non_responsive",
                "not_found",
                "loop",
                name="traceback_outcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_tracebacks_call_id_calls")
        ),
        sa.ForeignKeyConstraint(
            ["terminating_provider_id"],
            ["providers.id"],
            name=op.f("fk_tracebacks_terminating_provider_id_providers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracebacks")),
    )
    op.create_index(op.f("ix_tracebacks_call_id"), "tracebacks", ["call_id"])
    op.create_index(op.f("ix_tracebacks_campaign_id"), "tracebacks", ["campaign_id"])
    op.create_index(op.f("ix_tracebacks_status"), "tracebacks", ["status"])
    op.create_index(
        op.f("ix_tracebacks_terminating_provider_id"), "tracebacks", ["terminating_provider_id"]
    )

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

    op.create_table(
        "hops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("traceback_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "answer",
            sa.Enum(
                "upstream",
                "origin",
                "not_found",
                "refused",
                "no_response",
                name="hop_answer",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("upstream_provider_id", sa.Integer(), nullable=True),
        sa.Column("customer", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_hops_provider_id_providers")
        ),
        sa.ForeignKeyConstraint(
            ["traceback_id"],
            ["tracebacks.id"],
            name=op.f("fk_hops_traceback_id_tracebacks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["upstream_provider_id"],
            ["providers.id"],
            name=op.f("fk_hops_upstream_provider_id_providers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hops")),
        sa.UniqueConstraint("traceback_id", "position", name=op.f("uq_hops_traceback_id_position")),
    )
    op.create_index(op.f("ix_hops_due_at"), "hops", ["due_at"])
    op.create_index("ix_hops_provider_id_answer", "hops", ["provider_id", "answer"])
    op.create_index(op.f("ix_hops_upstream_provider_id"), "hops", ["upstream_provider_id"])


def downgrade() -> None:
    op.drop_table("hops")
    op.drop_table("block_entries")
    op.drop_table("tracebacks")
    op.drop_table("enforcement_actions")
    op.drop_table("api_tokens")
    op.drop_table("users")
    op.drop_table("complaints")
    op.drop_table("calls")
    op.drop_table("providers")
    op.drop_table("campaigns")
    op.drop_table("audit_events")
