"""The tables of robotrace, as SQLAlchemy 2 typed declarative models.

Rows are the store's business; the rest of robotrace works with the plain dataclasses of
its parts (``robotrace.traceback.model``, ``robotrace.providers.registry``), and each part's
``store`` module (``robotrace.traceback.store``, ``robotrace.providers.store``) translates.
Times are aware UTC (:class:`UTCDateTime`); enums are strings guarded by CHECK constraints;
constraint names follow :data:`NAMING_CONVENTION` so that migrations (SQLite batch mode
included) can refer to them.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    or_,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from robotrace.store.types import UTCDateTime, string_enum
from robotrace.store.values import Answer, Outcome, Status

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

OCN = String(16)
#: robotrace's own key of a provider (docs/concepts.md, "Provider identity").
PROVIDER_KEY = String(32)
E164 = String(16)
RAW_NUMBER = String(64)
CAMPAIGN_ID = String(64)
TRACEBACK_ID = String(64)


class UserRole(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    REGULATOR = "regulator"
    PROVIDER = "provider"


class EnforcementKind(StrEnum):
    WARNING_LETTER = "warning_letter"
    CEASE_AND_DESIST = "cease_and_desist"
    BLOCK_AUTHORIZATION = "block_authorization"
    REVOCATION = "revocation"
    # The mandatory ladder of 47 CFR 64.1200(n) (docs/enforcement.md): the Enforcement
    # Bureau's Notification of Suspected Illegal Traffic, its Initial and Final Determination
    # Orders.
    NOTIFICATION = "notification"
    INITIAL_ORDER = "initial_determination"
    FINAL_ORDER = "final_determination"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[str]: JSON,
    }
    if TYPE_CHECKING:
        # Every model here is declared on a Table (none maps a join or a select); SQLAlchemy
        # types __table__ as any FromClause.
        __table__: ClassVar[Table]


class Provider(Base):
    """One company that carries calls, under robotrace's own stable ``key``; what the world
    knows it by (RMD numbers, FRNs, OCNs, names) is in :class:`ProviderIdentifier`."""

    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(PROVIDER_KEY, unique=True)
    business_name: Mapped[str] = mapped_column(Text)
    country: Mapped[str] = mapped_column(String(100), default="United States")
    foreign: Mapped[bool] = mapped_column(default=False)
    business_address: Mapped[str] = mapped_column(Text, default="")
    implementation: Mapped[str] = mapped_column(Text, default="")
    voice_service_provider: Mapped[bool] = mapped_column(default=True)
    gateway_provider: Mapped[bool] = mapped_column(default=False)
    intermediate_provider: Mapped[bool] = mapped_column(default=False)
    last_recertified: Mapped[str] = mapped_column(String(32), default="")
    #: Where robotrace writes to the provider (set by an admin, or the old format's column).
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    #: The RMD's robocall mitigation contact: name, title, department, phone, extension, …
    rmd_contact: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: IANA zone its business hours are read in, set by an admin; None: from its address's
    #: state, else the business_zone setting (robotrace.providers.zones).
    time_zone: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    identifiers: Mapped[list[ProviderIdentifier]] = relationship(
        back_populates="provider", cascade="all, delete-orphan", order_by="ProviderIdentifier.id"
    )


class ProviderIdentifier(Base):
    """One thing a provider is known by: ``rmd`` number, ``frn``, ``ocn``, ``name`` (business
    names and DBAs) or ``key`` (the key of a provider merged into this one). Every kind but
    ``name`` names one provider at most."""

    __tablename__ = "provider_identifiers"
    __table_args__ = (
        CheckConstraint("kind IN ('key', 'rmd', 'frn', 'ocn', 'name')", name="kind"),
        Index(
            "uq_provider_identifiers_kind_value",
            "kind",
            "value",
            unique=True,
            sqlite_where=text("kind <> 'name'"),
            postgresql_where=text("kind <> 'name'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("providers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(Text)
    #: ``value`` case-folded, for search.
    folded: Mapped[str] = mapped_column(Text)

    provider: Mapped[Provider] = relationship(back_populates="identifiers")


class RmdImport(Base):
    """One import of an RMD export, kept with its date: what it held and what it changed."""

    __tablename__ = "rmd_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    imported_at: Mapped[datetime] = mapped_column(index=True)
    imported_by: Mapped[str] = mapped_column(String(200), default="")
    file_name: Mapped[str] = mapped_column(String(255), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    filings: Mapped[int] = mapped_column(default=0)
    added: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    not_in_export: Mapped[int] = mapped_column(default=0)
    refused: Mapped[int] = mapped_column(default=0)


class RmdFiling(Base):
    """A filing of the RMD under its number, as the latest export that held it wrote it."""

    __tablename__ = "rmd_filings"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    content_hash: Mapped[str] = mapped_column(String(64))
    first_import_id: Mapped[int] = mapped_column(ForeignKey("rmd_imports.id"))
    last_import_id: Mapped[int] = mapped_column(ForeignKey("rmd_imports.id"), index=True)
    updated_at: Mapped[datetime]

    provider: Mapped[Provider] = relationship()


class RmdImportEntry(Base):
    """What one import changed about one filing: ``added``, ``updated``, ``dropped`` (not in
    that export though in the one before) or ``relisted``; unchanged filings get no entry."""

    __tablename__ = "rmd_import_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("rmd_imports.id"), index=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("rmd_filings.id"), index=True)
    change: Mapped[str] = mapped_column(String(16))

    filing: Mapped[RmdFiling] = relationship()


class RmdRemoval(Base):
    """A provider's removal from the RMD by an FCC order, entered by a regulator, and its
    reinstatement; while it stands, no US provider may take the provider's traffic directly
    (47 CFR 64.6305), so the block list carries an ``rmd_removed`` entry."""

    __tablename__ = "rmd_removals"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    order_reference: Mapped[str] = mapped_column(String(200))
    removed_at: Mapped[datetime]
    entered_by: Mapped[str] = mapped_column(String(200), default="")
    entered_at: Mapped[datetime]
    reinstated_at: Mapped[datetime | None]
    reinstated_by: Mapped[str | None] = mapped_column(String(200))
    reinstatement_reference: Mapped[str | None] = mapped_column(String(200))


class User(Base):
    """A person who signs in; a ``provider`` user belongs to exactly one provider."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "(role = 'provider' AND provider_id IS NOT NULL)"
            " OR (role <> 'provider' AND provider_id IS NULL)",
            name="provider_id_iff_provider_role",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[UserRole] = mapped_column(string_enum(UserRole, "user_role"))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    #: What the newest password-reset link carries; a new link replaces it, so only the
    #: newest works, and using it clears it (robotrace.accounts.resets).
    reset_nonce: Mapped[str | None] = mapped_column(String(32))


class ApiToken(Base):
    """An API token: only its hash is stored; ``prefix`` is the part shown to people."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    token_hash: Mapped[str] = mapped_column(String(256), unique=True)
    write: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class WebSession(Base):
    """A signed-in browser: server-side, so it can be revoked; the cookie holds the token,
    the table only its hash."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class LoginAttempt(Base):
    """A failed or successful sign-in, by e-mail address and by client address, for throttling."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(254), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
    succeeded: Mapped[bool] = mapped_column(default=False)


class Webhook(Base):
    """Where a provider (or, without one, the traceback group) wants events POSTed."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class Notification(Base):
    """The outbox: one message to deliver on one channel; workers claim rows atomically."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The same event is never queued twice for the same target (e.g. one reminder per hop).
    dedupe_key: Mapped[str] = mapped_column(String(300), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class Campaign(Base):
    """Many calls with the same script; ``id`` is a short stable string chosen by its maker."""

    __tablename__ = "campaigns"

    id: Mapped[str] = mapped_column(CAMPAIGN_ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(200), default="")
    tags: Mapped[list[str]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(32), default="open")
    created_at: Mapped[datetime]
    #: The campaign's most typical transcript (its name is taken from it).
    representative: Mapped[str] = mapped_column(Text, default="")
    #: Call-back numbers its calls read out, E.164, most frequent first.
    callback_numbers: Mapped[list[str]] = mapped_column(default=list)
    first_seen_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]
    call_count: Mapped[int] = mapped_column(default=0)
    #: Traceback priority (higher first): volume, recency, tags, whether already traced.
    priority: Mapped[float] = mapped_column(default=0.0)
    updated_at: Mapped[datetime | None]
    # ``status`` is ``open`` (in the queue) or ``not_illegal`` (a legitimate recurring
    # message, out of the queue: robotrace.campaigns.review); who set it, when and why.
    status_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    status_by: Mapped[str] = mapped_column(String(200), default="", server_default="")
    status_at: Mapped[datetime | None]


class Call(Base):
    """One call of evidence; ``(source, source_ref)`` makes every import idempotent."""

    __tablename__ = "calls"
    __table_args__ = (UniqueConstraint("source", "source_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    source_ref: Mapped[str] = mapped_column(String(128))
    calling_number: Mapped[str] = mapped_column(RAW_NUMBER)
    calling_e164: Mapped[str | None] = mapped_column(E164, index=True)
    called_number: Mapped[str] = mapped_column(RAW_NUMBER)
    called_e164: Mapped[str | None] = mapped_column(E164)
    call_time: Mapped[datetime] = mapped_column(index=True)
    terminating_provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"))
    transcript: Mapped[str] = mapped_column(Text, default="")
    identity: Mapped[str | None] = mapped_column(Text)
    recording: Mapped[str | None] = mapped_column(String(500))
    #: The SIP INVITE as captured (request line, headers, body), for calls from SIP captures.
    sip_message: Mapped[str | None] = mapped_column(Text)
    campaign_id: Mapped[str | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    imported_at: Mapped[datetime]
    # The STIR/SHAKEN verification of ``identity`` as of the call's time (docs/shaken.md);
    # all None until verified. On failure the claims are what the token claimed.
    shaken_valid: Mapped[bool | None]
    shaken_code: Mapped[int | None]
    shaken_reason: Mapped[str | None] = mapped_column(Text)
    shaken_attest: Mapped[str | None] = mapped_column(String(1))
    shaken_spc: Mapped[str | None] = mapped_column(OCN)
    shaken_origid: Mapped[str | None] = mapped_column(String(64))
    verified_at: Mapped[datetime | None]


class ConsumerReport(Base):
    """A consumer's report of an unwanted call (the public form, ``POST /api/v1/reports``):
    the call only. Who sent it is in :class:`ReportSender`, apart (docs/reports.md)."""

    __tablename__ = "consumer_reports"
    __table_args__ = (
        Index("ix_consumer_reports_called_calling", "called_number", "calling_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Given to the reporter (``RT-XXXX-XXXX``), random so that it tells nothing.
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    received_at: Mapped[datetime] = mapped_column(index=True)
    calling_number: Mapped[str] = mapped_column(E164)
    called_number: Mapped[str] = mapped_column(E164)
    call_time: Mapped[datetime]
    recorded_message: Mapped[bool]
    subject: Mapped[str] = mapped_column(String(200))
    transcript: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(64), default="")
    #: ``page`` or ``api``.
    via: Mapped[str] = mapped_column(String(8))
    #: The evidence call it became (source ``report``), which campaigns group.
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), index=True)
    #: When its complaint reached the analytics store; None until then.
    fed_at: Mapped[datetime | None] = mapped_column(index=True)


class ReportSender(Base):
    """Who sent a consumer report: personal data, kept apart from the call, never shown to
    providers and never exported. ``client_key`` (a keyed hash of the client's address)
    only counts reports per address for the rate limits."""

    __tablename__ = "report_senders"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("consumer_reports.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    client_key: Mapped[str] = mapped_column(String(64), index=True)


class Traceback(Base):
    """A traceback (see :class:`robotrace.traceback.model.Traceback`) and its hops."""

    __tablename__ = "tracebacks"

    id: Mapped[str] = mapped_column(TRACEBACK_ID, primary_key=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), index=True)
    calling_number: Mapped[str] = mapped_column(RAW_NUMBER)
    called_number: Mapped[str] = mapped_column(RAW_NUMBER)
    call_time: Mapped[datetime]
    terminating_provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    # No foreign key: a traceback may name a campaign before campaign analysis stores it.
    campaign_id: Mapped[str | None] = mapped_column(CAMPAIGN_ID, index=True)
    status: Mapped[Status] = mapped_column(string_enum(Status, "traceback_status"), index=True)
    outcome: Mapped[Outcome | None] = mapped_column(string_enum(Outcome, "traceback_outcome"))
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    # The signer shortcut (docs/shaken.md): the provider whose verified Identity header
    # signed the call, its direct request and answer, and whether the chain passed it.
    signer_key: Mapped[str | None] = mapped_column(PROVIDER_KEY, index=True)
    signer_attest: Mapped[str | None] = mapped_column(String(1))
    signer_origid: Mapped[str | None] = mapped_column(String(64))
    signer_requested_at: Mapped[datetime | None]
    signer_due_at: Mapped[datetime | None]
    signer_answer: Mapped[str | None] = mapped_column(String(16))
    signer_answered_at: Mapped[datetime | None]
    signer_upstream: Mapped[str | None] = mapped_column(PROVIDER_KEY)
    signer_customer: Mapped[str | None] = mapped_column(String(200))
    signer_note: Mapped[str | None] = mapped_column(Text)
    signer_on_path: Mapped[bool | None]

    hops: Mapped[list[Hop]] = relationship(
        back_populates="traceback", order_by="Hop.position", cascade="all, delete-orphan"
    )


class Hop(Base):
    """One provider asked, at ``position`` in the chain (0 = the terminating provider)."""

    __tablename__ = "hops"
    __table_args__ = (
        UniqueConstraint("traceback_id", "position"),
        Index("ix_hops_provider_id_answer", "provider_id", "answer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    traceback_id: Mapped[str] = mapped_column(ForeignKey("tracebacks.id", ondelete="CASCADE"))
    position: Mapped[int]
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    requested_at: Mapped[datetime]
    due_at: Mapped[datetime] = mapped_column(index=True)
    answer: Mapped[Answer | None] = mapped_column(string_enum(Answer, "hop_answer"))
    answered_at: Mapped[datetime | None]
    upstream_provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"), index=True)
    customer: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    late: Mapped[bool] = mapped_column(default=False)
    # What the provider received of STIR/SHAKEN and, for an origin answer, the action it took
    # with its customer (issue 23; robotrace.traceback.model.Hop says the values).
    received_attest: Mapped[str | None] = mapped_column(String(8))
    received_signer: Mapped[str | None] = mapped_column(String(32))
    origin_action: Mapped[str | None] = mapped_column(String(24))

    traceback: Mapped[Traceback] = relationship(back_populates="hops")


class EnforcementAction(Base):
    """A step of the enforcement ladder against one provider: a letter or an authorization."""

    __tablename__ = "enforcement_actions"
    __table_args__ = (UniqueConstraint("kind", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The step's number in its kind's own sequence (WL-000001, BA-000001 …; issue 22);
    #: rows from before that kept their id as their number.
    number: Mapped[int | None]
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    kind: Mapped[EnforcementKind] = mapped_column(string_enum(EnforcementKind, "enforcement_kind"))
    status: Mapped[str] = mapped_column(String(32), default="draft", index=True)
    issued_at: Mapped[datetime | None]
    mitigate_by: Mapped[datetime | None]
    report_by: Mapped[datetime | None]
    named_campaigns: Mapped[list[str]] = mapped_column(default=list)
    named_originators: Mapped[list[str]] = mapped_column(default=list)
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    document: Mapped[str | None] = mapped_column(Text)
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision: Mapped[str | None] = mapped_column(Text)
    # Block authorizations (see docs/enforcement.md): what is blocked from when, and who
    # lifted it; a letter leaves them empty.
    scope: Mapped[str | None] = mapped_column(String(32))
    numbers: Mapped[list[str]] = mapped_column(default=list)
    effective_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("enforcement_actions.id"))
    lifted_at: Mapped[datetime | None]
    lifted_by: Mapped[str | None] = mapped_column(String(200))
    #: "k4" (letter, permissive authorization) or "n" (notification, orders, mandatory).
    ladder: Mapped[str] = mapped_column(String(8), default="k4")
    #: The step this one follows: the notification an upstream's came from, an order's
    #: notification or initial order.
    follows_id: Mapped[int | None] = mapped_column(ForeignKey("enforcement_actions.id"))
    #: A notification's or initial order's response deadline.
    respond_by: Mapped[datetime | None]
    #: The worker's proposal (complied, noncompliant, no_response) for a person to decide.
    proposal: Mapped[str | None] = mapped_column(String(32))
    proposal_text: Mapped[str | None] = mapped_column(Text)
    proposed_at: Mapped[datetime | None]
    #: Findings (traceback ids of refused or silent hops) the step names besides traffic.
    named_findings: Mapped[list[str]] = mapped_column(default=list)
    #: A final order's providers immediately downstream, who must block.
    downstream: Mapped[list[str]] = mapped_column(default=list)


class StepCounter(Base):
    """The last number given to a kind of enforcement step (one row a kind, updated under
    its row lock so that two regulators issuing at once get different numbers)."""

    __tablename__ = "step_counters"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class EnforcementDraft(Base):
    """A letter or notification a regulator saved without sending: what it names, to whom.
    Not an enforcement step: the provider never sees it and no e-mail goes out; sending it
    issues the step (with the dates and number of that moment) and deletes the draft."""

    __tablename__ = "enforcement_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    #: warning_letter or notification
    kind: Mapped[str] = mapped_column(String(32))
    named_campaigns: Mapped[list[str]] = mapped_column(default=list)
    named_originators: Mapped[list[str]] = mapped_column(default=list)
    named_findings: Mapped[list[str]] = mapped_column(default=list)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class MitigationReport(Base):
    """What a provider says it did about a warning letter; it may file more than one."""

    __tablename__ = "mitigation_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("enforcement_actions.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    text: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime]
    filed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    late: Mapped[bool] = mapped_column(default=False)
    #: report (to a letter), blocked or not_carrier (to a notification), order_response.
    kind: Mapped[str] = mapped_column(String(16), default="report")
    #: A not_carrier response's upstream providers (their keys).
    upstreams: Mapped[list[str]] = mapped_column(default=list)


class BlockingNotice(Base):
    """A downstream provider blocking under a permissive (K4) authorization since a time, and
    the notice to the FCC it owes before it starts (47 CFR 64.1200(k)(4))."""

    __tablename__ = "blocking_notices"
    __table_args__ = (UniqueConstraint("authorization_id", "provider_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    authorization_id: Mapped[int] = mapped_column(ForeignKey("enforcement_actions.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    since: Mapped[datetime]
    declared_at: Mapped[datetime]
    declared_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    basis: Mapped[str] = mapped_column(Text, default="")
    calls_blocked: Mapped[int] = mapped_column(default=0)
    document: Mapped[str] = mapped_column(Text, default="")


class BlocklistVersion(Base):
    """One published version of the block list, kept forever: the exact bytes served, their
    ETags and Ed25519 signatures. ``content_hash`` covers the entries only, so a new version
    is made only when they change."""

    __tablename__ = "blocklist_versions"

    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    generated_at: Mapped[datetime]
    content_hash: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    etag: Mapped[str] = mapped_column(String(80))
    signature: Mapped[str] = mapped_column(String(128))
    csv: Mapped[str] = mapped_column(Text)
    csv_etag: Mapped[str] = mapped_column(String(80))
    csv_signature: Mapped[str] = mapped_column(String(128))


class AuditEvent(Base):
    """The audit log; no foreign keys, so the history outlives what it describes."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    traceback_id: Mapped[str | None] = mapped_column(TRACEBACK_ID, index=True)
    provider_key: Mapped[str | None] = mapped_column(PROVIDER_KEY, index=True)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


# --- Federated bulk tracing (issue 21, docs/paths.md "Federated bulk tracing") -------------


class BulkTraceback(Base):
    """One submission of calls to trace through the providers' agents, every call at once."""

    __tablename__ = "bulk_tracebacks"
    __table_args__ = (CheckConstraint("status IN ('running', 'done')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(200))
    # No foreign key, as for tracebacks: the calls file may name campaigns of its own.
    campaign_id: Mapped[str | None] = mapped_column(CAMPAIGN_ID, index=True)
    #: Seconds a provider has to answer a batch request before its calls end ``no_records``.
    answer_within_s: Mapped[int]
    tolerance_ms: Mapped[int]
    max_hops: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="running", index=True)
    calls: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class BulkCall(Base):
    """One call of a submission, followed hop by hop: ``provider`` is the one whose leg is
    wanted (``hop`` 0 = the terminating provider), ``path`` the providers asked so far
    (``|TERM|MID|``, as the records name them); ``state`` is ``waiting`` (for a batch),
    ``asked`` (in an open batch) or ``ended`` (then ``end`` says how)."""

    __tablename__ = "bulk_calls"
    __table_args__ = (
        UniqueConstraint("bulk_id", "call_id"),
        Index("ix_bulk_calls_bulk_id_state_provider", "bulk_id", "state", "provider"),
        CheckConstraint("state IN ('waiting', 'asked', 'ended')", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bulk_id: Mapped[int] = mapped_column(ForeignKey("bulk_tracebacks.id", ondelete="CASCADE"))
    call_id: Mapped[str] = mapped_column(String(128))
    campaign: Mapped[str | None] = mapped_column(String(200))
    called_number: Mapped[str] = mapped_column(RAW_NUMBER)
    calling_number: Mapped[str] = mapped_column(RAW_NUMBER, default="")
    t_ms: Mapped[int] = mapped_column(BigInteger)
    terminating_provider: Mapped[str] = mapped_column(PROVIDER_KEY)
    provider: Mapped[str] = mapped_column(PROVIDER_KEY)
    hop: Mapped[int] = mapped_column(default=0)
    path: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(8), default="waiting")
    end: Mapped[str | None] = mapped_column(String(16))
    ended_at: Mapped[datetime | None]


class BatchRequest(Base):
    """One provider's batch of calls to look up in its own records: numbers and times only.
    A provider has at most one open batch per submission; calls reaching it meanwhile wait
    for the next (``robotrace.bulk.dispatch``)."""

    __tablename__ = "batch_requests"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'answered', 'expired')", name="status"),
        Index("ix_batch_requests_provider_id_status", "provider_id", "status"),
        Index("ix_batch_requests_bulk_id_provider_key", "bulk_id", "provider_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bulk_id: Mapped[int] = mapped_column(ForeignKey("bulk_tracebacks.id", ondelete="CASCADE"))
    #: The provider as the call records name it (what paths show).
    provider_key: Mapped[str] = mapped_column(PROVIDER_KEY)
    #: The provider that holds that identifier: its users see the batch.
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    calls: Mapped[int]
    tolerance_ms: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime]
    due_at: Mapped[datetime] = mapped_column(index=True)
    answered_at: Mapped[datetime | None]


class BatchCall(Base):
    """One call of a batch (``position`` 1…n, all the provider is told of it besides the
    numbers and time) and the provider's answer to it, given once."""

    __tablename__ = "batch_calls"
    __table_args__ = (
        UniqueConstraint("batch_id", "position"),
        CheckConstraint(
            "answer IS NULL OR answer IN ('upstream', 'origin', 'not_found', 'unmapped')",
            name="answer",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch_requests.id", ondelete="CASCADE"))
    position: Mapped[int]
    bulk_call_id: Mapped[int] = mapped_column(
        ForeignKey("bulk_calls.id", ondelete="CASCADE"), index=True
    )
    hop: Mapped[int]
    answer: Mapped[str | None] = mapped_column(String(16))
    upstream: Mapped[str | None] = mapped_column(PROVIDER_KEY)
    customer: Mapped[str | None] = mapped_column(String(200))
    delta_ms: Mapped[int | None]
    calling_matched: Mapped[bool | None]
    answered_at: Mapped[datetime | None]


class BlockingReport(Base):
    """One period of a blocker's counts of blocked calls, as its provider reported it
    (``POST /api/v1/blocking-counts``). A period is stored once: the same period sent again
    is recognised by (provider, blocker, start), never counted twice."""

    __tablename__ = "blocking_reports"
    __table_args__ = (UniqueConstraint("provider_id", "blocker", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    #: The blocker's name (one provider may run several): blocker_name, else its host name.
    blocker: Mapped[str] = mapped_column(String(100))
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    received_at: Mapped[datetime]
    reported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class BlockingCount(Base):
    """Calls a report's blocker blocked in its period for one reason under one authorization
    or final order (neither: an RMD removal or the provider's own rules)."""

    __tablename__ = "blocking_counts"
    __table_args__ = (CheckConstraint("calls >= 0", name="calls"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("blocking_reports.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(40))
    authorization_id: Mapped[int | None] = mapped_column(
        ForeignKey("enforcement_actions.id"), index=True
    )
    order_id: Mapped[int | None] = mapped_column(ForeignKey("enforcement_actions.id"))
    calls: Mapped[int] = mapped_column(BigInteger)


class NumberBlock(Base):
    """Numbers starting with ``prefix`` (NPA-NXX, 6 digits, or NPA-NXX-X, 7) were assigned to
    the carrier ``ocn``, as the imported NANP report (``source``) says
    (robotrace.numbering.blocks)."""

    __tablename__ = "number_blocks"
    __table_args__ = (
        CheckConstraint("source IN ('nanpa-cocodes', 'pooling-blocks')", name="source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(7), unique=True)
    ocn: Mapped[str] = mapped_column(OCN, index=True)
    company: Mapped[str] = mapped_column(Text)
    rate_center: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(8))
    effective_on: Mapped[date | None]
    source: Mapped[str] = mapped_column(String(16))
    imported_at: Mapped[datetime]


class TraceForwardRequest(Base):
    """Trace Forward: a campaign's call-back ``number`` and the carrier its block was
    assigned to (``block``, ``ocn`` as the number-block table said when asked), asked whose
    customer the number is (robotrace.traceforward)."""

    __tablename__ = "trace_forward_requests"
    __table_args__ = (
        CheckConstraint(
            "answer IS NULL OR answer IN ('assigned', 'not_ours', 'not_assigned', 'refused')",
            name="answer",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[str] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(E164)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    block: Mapped[str] = mapped_column(String(7))
    ocn: Mapped[str] = mapped_column(OCN)
    asked_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime]
    due_at: Mapped[datetime]
    answer: Mapped[str | None] = mapped_column(String(16))
    customer: Mapped[str] = mapped_column(String(200), default="")
    customer_contact: Mapped[str] = mapped_column(Text, default="")
    now_served_by: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[str] = mapped_column(String(200), default="")


class LegalProcess(Base):
    """One subpoena, civil investigative demand or other compulsory process an agency issued
    to a provider, as a regulator logs it (robotrace.legalprocess): when, by whom, to whom,
    its reference, and the tracebacks or campaigns it concerns. A withdrawn entry stays in
    the log with why, and counts nowhere."""

    __tablename__ = "legal_process"
    __table_args__ = (
        CheckConstraint("kind IN ('subpoena', 'cid', 'other')", name="kind"),
        CheckConstraint("status IN ('issued', 'withdrawn')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issued_on: Mapped[date] = mapped_column(index=True)
    agency: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    reference: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    traceback_ids: Mapped[list[str]] = mapped_column(default=list)
    campaign_ids: Mapped[list[str]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(16), default="issued")
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime]
    updated_at: Mapped[datetime]


def not_withdrawn(tb: Any = Traceback) -> ColumnElement[bool]:
    """Tracebacks that count: not withdrawn as opened by mistake (the outcome ``withdrawn``
    counts in no figure, finding or ranking)."""
    return or_(tb.outcome.is_(None), tb.outcome != Outcome.WITHDRAWN)
