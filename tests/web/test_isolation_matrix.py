"""Every route × every role, and provider B using provider A's ids; on SQLite and PostgreSQL.

``ROUTES`` says who may use each route; a test fails when the app has a route the table
does not list (so a new route must decide its audience here). Allowed roles must get through
(no 401/403/404, no 5xx); other roles get 403, or 404 where the route is tenant-scoped;
anonymous callers get 401 from the API and a redirect to /login from pages. Each role asks
twice: signed in (session cookie and CSRF token) and with a read-write API token. Then, for
every route that takes another tenant's id, the answer to provider BBBB — signed in, and by
API token — for provider AAAA's object must equal its answer for an id that does not exist:
same status, same body, and the same number of SQL statements (the deterministic stand-in
for timing: the same code path).

The static files under ``/static`` (a mount, not a route) are public and not in the table.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from robotrace.accounts.tokens import create_token, token_for
from robotrace.accounts.users import create_user, user_by_email
from robotrace.bulk.answers import CallAnswer, record_answers
from robotrace.bulk.submit import Options, calls_of_rows, submit
from robotrace.clock import SimulatedClock
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.db import make_engine, transaction, upgrade
from robotrace.traceback import service
from robotrace.traceback.model import SignerLead
from robotrace.web.app import create_app
from tests.conftest import _postgres_schema_url
from tests.support import settings_policy

from .conftest import CALL, PASSWORD, T0, seed_world, sign_in

PUBLIC = "public"
ALL = ("admin", "coordinator", "regulator", "provider")
READERS = ("admin", "coordinator", "regulator")
STAFF = ("admin", "coordinator")
EMAIL = {
    "admin": "admin@example.org",
    "coordinator": "coord@example.org",
    "regulator": "fcc@example.org",
    "provider": "noc@aaaa.example",
}

# (method, path) → roles allowed, or PUBLIC
ROUTES: dict[tuple[str, str], object] = {
    ("GET", "/api/v1/openapi.json"): PUBLIC,
    ("GET", "/api/v1/docs"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("GET", "/favicon.ico"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): ALL,
    ("GET", "/password-reset"): PUBLIC,
    ("POST", "/password-reset"): PUBLIC,
    ("GET", "/password-reset/{token}"): PUBLIC,
    ("POST", "/password-reset/{token}"): PUBLIC,
    ("GET", "/account"): ALL,
    ("POST", "/account/tokens"): ALL,
    ("POST", "/account/password"): ALL,
    ("GET", "/account/tokens/{token_id}/revoke"): ALL,
    ("POST", "/account/tokens/{token_id}/revoke"): ALL,
    ("GET", "/"): PUBLIC,  # signed out: the front page; signed in: dashboard or inbox
    ("GET", "/tracebacks/new"): STAFF,
    ("POST", "/tracebacks/new"): STAFF,
    ("POST", "/tracebacks/new/from-call"): STAFF,
    ("GET", "/tracebacks"): READERS,
    ("GET", "/tracebacks/{traceback_id}"): READERS,
    ("POST", "/tracebacks/{traceback_id}/no-response"): STAFF,
    ("POST", "/tracebacks/{traceback_id}/withdraw"): STAFF,
    ("POST", "/tracebacks/{traceback_id}/ask-signer"): STAFF,
    ("POST", "/tracebacks/{traceback_id}/signer-answer"): STAFF,
    ("GET", "/providers"): READERS,
    ("GET", "/providers/search"): ALL,
    ("POST", "/providers/import"): STAFF,
    ("GET", "/providers/{key}"): ALL,
    ("POST", "/providers/{key}/contact"): ("admin",),
    ("POST", "/providers/{key}/identifiers"): STAFF,
    ("POST", "/providers/{key}/time-zone"): STAFF,
    ("POST", "/providers/{key}/rmd-removal"): ("admin", "regulator"),
    ("POST", "/providers/{key}/rmd-reinstatement"): ("admin", "regulator"),
    ("GET", "/inbox"): ("provider",),
    ("GET", "/history"): ("provider",),
    ("GET", "/inbox/{hop_id}"): ("provider",),
    ("POST", "/inbox/{hop_id}"): ("provider",),
    ("GET", "/inbox/signer/{request_id}"): ("provider",),
    ("GET", "/inbox/trace-forward/{forward_id}"): ("provider",),
    ("POST", "/inbox/trace-forward/{forward_id}"): ("provider",),
    ("POST", "/campaigns/{campaign_id}/trace-forward"): STAFF,
    ("GET", "/admin/number-blocks"): ("admin",),
    ("POST", "/admin/number-blocks"): ("admin",),
    ("POST", "/api/v1/campaigns/{campaign_id}/trace-forward"): STAFF,
    ("GET", "/api/v1/trace-forward-requests"): ALL,
    ("GET", "/api/v1/trace-forward-requests/{forward_id}"): ALL,
    ("POST", "/api/v1/trace-forward-requests/{forward_id}/answer"): ("provider",),
    ("GET", "/upstreams"): ALL,
    ("GET", "/api/v1/upstreams"): ALL,
    ("GET", "/legal-process"): READERS,
    ("POST", "/legal-process"): ("admin", "regulator"),
    ("GET", "/legal-process/{entry_id}"): READERS,
    ("POST", "/legal-process/{entry_id}"): ("admin", "regulator"),
    ("POST", "/legal-process/{entry_id}/withdraw"): ("admin", "regulator"),
    ("GET", "/api/v1/legal-process"): READERS,
    ("POST", "/api/v1/legal-process"): ("admin", "regulator"),
    ("GET", "/api/v1/legal-process/{entry_id}"): READERS,
    ("POST", "/api/v1/legal-process/{entry_id}"): ("admin", "regulator"),
    ("POST", "/api/v1/legal-process/{entry_id}/withdraw"): ("admin", "regulator"),
    ("POST", "/inbox/signer/{request_id}"): ("provider",),
    ("GET", "/admin/users"): ("admin",),
    ("POST", "/admin/users"): ("admin",),
    ("GET", "/admin/users/{user_id}/deactivate"): ("admin",),
    ("POST", "/admin/users/{user_id}/deactivate"): ("admin",),
    ("POST", "/admin/users/{user_id}/reactivate"): ("admin",),
    ("GET", "/api/v1/me"): ALL,
    ("GET", "/api/v1/hop-requests"): ("provider",),
    ("GET", "/api/v1/hop-requests/{hop_id}"): ("provider",),
    ("POST", "/api/v1/hop-requests/{hop_id}/answer"): ("provider",),
    ("GET", "/api/v1/signer-requests"): ("provider",),
    ("GET", "/api/v1/events"): ("provider",),  # its own provider's hints only (docs/agent.md)
    ("GET", "/api/v1/signer-requests/{request_id}"): ("provider",),
    ("POST", "/api/v1/signer-requests/{request_id}/answer"): ("provider",),
    ("GET", "/api/v1/batch-requests"): ("provider",),
    ("GET", "/api/v1/batch-requests/{batch_id}"): ("provider",),
    ("POST", "/api/v1/batch-requests/{batch_id}/answer"): ("provider",),
    ("POST", "/api/v1/bulk-tracebacks"): STAFF,
    ("GET", "/api/v1/bulk-tracebacks/{bulk_id}"): READERS,
    ("GET", "/api/v1/bulk-tracebacks/{bulk_id}/paths.parquet"): READERS,
    ("GET", "/api/v1/bulk-tracebacks/{bulk_id}/flows.json"): READERS,
    ("GET", "/api/v1/tracebacks"): READERS,
    ("GET", "/api/v1/tracebacks/{traceback_id}"): READERS,
    ("POST", "/api/v1/tracebacks"): STAFF,
    ("POST", "/api/v1/tracebacks/{traceback_id}/no-response"): STAFF,
    ("POST", "/api/v1/tracebacks/{traceback_id}/withdraw"): STAFF,
    ("GET", "/api/v1/providers"): READERS,
    ("GET", "/api/v1/providers/search"): ALL,
    ("GET", "/api/v1/providers/{key}"): ALL,
    ("POST", "/api/v1/providers/import"): STAFF,
    ("POST", "/api/v1/providers/{key}/rmd-removal"): ("admin", "regulator"),
    ("POST", "/api/v1/providers/{key}/rmd-reinstatement"): ("admin", "regulator"),
    ("GET", "/api/v1/enforcement/candidates"): READERS,
    ("GET", "/api/v1/enforcement/evidence/{key}"): READERS,
    ("POST", "/api/v1/letters"): ("regulator",),
    ("POST", "/api/v1/letters/preview"): ("regulator",),
    ("GET", "/api/v1/letters"): ALL,
    ("GET", "/api/v1/letters/{letter_id}.pdf"): ALL,
    ("GET", "/api/v1/letters/{letter_id}"): ALL,
    ("POST", "/api/v1/letters/{letter_id}/mitigation-report"): ("provider",),
    ("POST", "/api/v1/letters/{letter_id}/decide"): ("regulator",),
    ("POST", "/api/v1/authorizations"): ("regulator",),
    ("GET", "/api/v1/authorizations"): ALL,
    ("POST", "/api/v1/authorizations/{authorization_id}/lift"): ("regulator",),
    ("POST", "/api/v1/authorizations/{authorization_id}/blocking"): ("provider",),
    ("GET", "/api/v1/authorizations/{authorization_id}/blocking"): ALL,
    ("GET", "/api/v1/blocking-notices/{notice_id}.pdf"): ALL,
    ("POST", "/api/v1/blocking-counts"): ("provider",),
    ("GET", "/api/v1/blocking-counts"): ALL,
    ("POST", "/api/v1/notifications"): ("regulator",),
    ("GET", "/api/v1/orders"): ALL,
    ("GET", "/api/v1/orders/{order_id}.pdf"): ALL,
    ("GET", "/api/v1/orders/{order_id}"): ALL,
    ("POST", "/api/v1/orders/{order_id}/response"): ("provider",),
    ("POST", "/api/v1/orders/{order_id}/decide"): ("regulator",),
    ("POST", "/api/v1/orders/{order_id}/initial-order"): ("regulator",),
    ("POST", "/api/v1/orders/{order_id}/final-order"): ("regulator",),
    ("POST", "/api/v1/orders/{order_id}/withdraw"): ("regulator",),
    ("POST", "/api/v1/orders/{order_id}/lift"): ("regulator",),
    ("GET", "/api/v1/blocklist"): PUBLIC,
    ("GET", "/api/v1/blocklist.csv"): PUBLIC,
    ("GET", "/api/v1/blocklist/public-key"): PUBLIC,
    ("GET", "/api/v1/blocklist/versions/{version}"): PUBLIC,
    ("GET", "/api/v1/blocklist/notices/{authorization_id}.pdf"): PUBLIC,
    ("GET", "/enforcement"): READERS,
    ("GET", "/enforcement/providers/{key}"): READERS,
    ("POST", "/enforcement/providers/{key}/letters"): ("regulator",),
    ("POST", "/enforcement/providers/{key}/notifications"): ("regulator",),
    ("POST", "/enforcement/providers/{key}/preview"): ("regulator",),
    ("POST", "/enforcement/drafts"): ("regulator",),
    ("GET", "/enforcement/drafts/{draft_id}"): ("regulator",),
    ("POST", "/enforcement/drafts/{draft_id}/discard"): ("regulator",),
    ("GET", "/letters"): ALL,
    ("GET", "/letters/{letter_id}"): ALL,
    ("POST", "/letters/{letter_id}/mitigation-report"): ("provider",),
    ("POST", "/letters/{letter_id}/decide"): ("regulator",),
    ("POST", "/letters/{letter_id}/authorize"): ("regulator",),
    ("GET", "/evidence"): STAFF,
    ("POST", "/evidence"): STAFF,
    ("POST", "/api/v1/evidence/{format}"): STAFF,
    ("GET", "/authorizations"): ALL,
    ("GET", "/authorizations/{authorization_id}"): ALL,
    ("POST", "/authorizations/{authorization_id}/lift"): ("regulator",),
    ("POST", "/authorizations/{authorization_id}/blocking"): ("provider",),
    ("GET", "/orders"): ALL,
    ("GET", "/orders/{order_id}"): ALL,
    ("POST", "/orders/{order_id}/response"): ("provider",),
    ("POST", "/orders/{order_id}/decide"): ("regulator",),
    ("POST", "/orders/{order_id}/initial-order"): ("regulator",),
    ("POST", "/orders/{order_id}/final-order"): ("regulator",),
    ("POST", "/orders/{order_id}/withdraw"): ("regulator",),
    ("POST", "/orders/{order_id}/lift"): ("regulator",),
    ("GET", "/campaigns"): READERS,
    ("GET", "/campaigns/{campaign_id}"): READERS,
    ("POST", "/campaigns/{campaign_id}/tracebacks"): STAFF,
    ("GET", "/api/v1/campaigns"): READERS,
    ("GET", "/api/v1/campaigns/{campaign_id}"): READERS,
    ("POST", "/api/v1/campaigns/{campaign_id}/tracebacks"): STAFF,
    ("POST", "/campaigns/{campaign_id}/not-illegal"): STAFF,
    ("POST", "/campaigns/{campaign_id}/queue"): STAFF,
    ("POST", "/api/v1/campaigns/{campaign_id}/not-illegal"): STAFF,
    ("POST", "/api/v1/campaigns/{campaign_id}/queue"): STAFF,
    ("GET", "/metrics"): PUBLIC,  # by address or metrics_token, not by role (test_metrics)
    ("GET", "/healthz"): PUBLIC,  # says only whether the database answers
    ("GET", "/statistics"): PUBLIC,
    ("GET", "/assets/vega-{version}.js"): PUBLIC,
    ("GET", "/api/v1/statistics"): PUBLIC,
    ("GET", "/api/v1/statistics/effects"): READERS,
    ("GET", "/statistics/shaken"): READERS,
    ("GET", "/api/v1/statistics/shaken"): READERS,
    ("GET", "/api/v1/statistics/shaken.csv"): READERS,
    ("GET", "/scorecards"): READERS,
    ("GET", "/api/v1/scorecards"): READERS,
    ("GET", "/period-report"): READERS,
    ("GET", "/period-report.pdf"): READERS,
    ("GET", "/api/v1/period-report"): READERS,
    ("GET", "/report"): PUBLIC,
    ("POST", "/report"): PUBLIC,
    ("GET", "/report/{reference}"): PUBLIC,
    ("GET", "/report/lookup"): PUBLIC,
    ("GET", "/privacy"): PUBLIC,
    ("POST", "/api/v1/reports"): PUBLIC,
    ("GET", "/api/v1/reports/export"): READERS,
}


#: Routes a person uses signed in, never a script: an API token gets 403 from them.
SESSION_ONLY = {
    ("POST", "/account/tokens"),
    ("POST", "/account/tokens/{token_id}/revoke"),
    ("POST", "/account/password"),
}

#: Routes on which a provider reaches another provider's object by design: an active K4
#: block authorization is public (its notice and the block list say it), and any downstream
#: provider may declare that it blocks under it; each sees only its own declaration
#: (docs/portal.md). ``test_an_active_authorization_is_shared_with_every_provider`` checks
#: them instead of the same-as-missing rule.
SHARED_WITH_PROVIDERS = {
    ("GET", "/authorizations/{authorization_id}"),
    ("POST", "/authorizations/{authorization_id}/blocking"),
    ("GET", "/api/v1/authorizations/{authorization_id}/blocking"),
    ("POST", "/api/v1/authorizations/{authorization_id}/blocking"),
}


def app_routes(app) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()

    def walk(routes, prefix: str = "") -> None:
        for route in routes:
            if type(route).__name__ == "_IncludedRouter":
                walk(route.original_router.routes, prefix + (route.include_context.prefix or ""))
            elif hasattr(route, "methods"):
                found.update((m, prefix + route.path) for m in route.methods - {"HEAD"})

    walk(app.routes)
    return found


class Matrix:
    def __init__(self, url: str, analytics_dir: Path | None = None) -> None:
        self.engine = make_engine(url)
        upgrade(self.engine)
        self.clock = SimulatedClock(T0)
        self.traceback_id = seed_world(self.engine, self.clock)
        with transaction(self.engine) as session:
            self.hop_id = session.scalar(select(models.Hop.id))
            spare = create_user(session, "spare@example.org", "coordinator", PASSWORD)
            self.user_id = spare.id
            self.token_ids = {}  # what the revoke route revokes
            api_tokens = {}  # what the API clients send
            for role, email in {**EMAIL, "other_provider": "noc@bbbb.example"}.items():
                owner = user_by_email(session, email)
                _, token = create_token(session, owner, "matrix", True, self.clock)
                self.token_ids[role] = token.id
                api_tokens[role], _ = create_token(session, owner, "api", True, self.clock)
            self.letter_id, self.authorization_id = seed_enforcement(session)
            self.draft_ids = seed_drafts(session, self.clock)
            self.order_ids = seed_orders(session)
            self.notice_id = seed_blocking_notice(session)
            self.shared_authorization_id = seed_shared_authorization(session)
            self.campaign_id = seed_campaign(session)
            self.forward_id = seed_trace_forward(session, self.campaign_id, self.clock)
            self.entry_id = seed_legal_process(session, self.clock)
            self.signer_request_id = seed_signer_request(session, self.clock)
            token_for(session, api_tokens["provider"], self.clock)  # AAAA runs an agent
            self.bulk_id = seed_finished_bulk_traceback(session, self.clock)
            self.batch_id = seed_batch_request(session, self.clock)
        self.app = create_app(url, self.clock)
        if analytics_dir is not None:  # where the bulk traceback's results are written
            self.app.state.analytics_dir = str(analytics_dir)
        self.clients = {role: sign_in(TestClient(self.app), email) for role, email in EMAIL.items()}
        self.clients["other_provider"] = sign_in(TestClient(self.app), "noc@bbbb.example")
        self.api_clients = {
            role: TestClient(self.app, headers={"Authorization": f"Bearer {token}"})
            for role, token in api_tokens.items()
        }

    def client(self, role: str, via: str) -> TestClient:
        """``role``'s client: signed in (``session``) or sending its API token (``token``)."""
        return (self.clients if via == "session" else self.api_clients)[role]

    def path(self, template: str, own: bool = True, role: str = "provider") -> str:
        """The route with real ids (``own``: the provider AAAA's, and each role's own token)
        or with ids that do not exist."""
        values = {
            "token": "not-a-real-reset-token",
            "token_id": str(
                self.token_ids.get(role, self.token_ids["provider"]) if own else 999_999
            ),
            "traceback_id": self.traceback_id if own else "TB-999999",
            "key": "AAAA" if own else "ZZZZ",
            "hop_id": str(self.hop_id if own else 999_999),
            "request_id": str(self.signer_request_id if own else 999_999),
            "forward_id": str(self.forward_id if own else 999_999),
            "entry_id": str(self.entry_id if own else 999_999),
            "bulk_id": str(self.bulk_id if own else 999_999),
            "batch_id": str(self.batch_id if own else 999_999),
            "user_id": str(self.user_id if own else 999_999),
            "letter_id": str(self.letter_id if own else 999_999),
            "authorization_id": str(self._authorization_id(template) if own else 999_999),
            "order_id": str(self.order_ids[order_step(template)] if own else 999_999),
            "notice_id": str(self.notice_id if own else 999_999),
            # Discarding takes the second draft: the first stays to be read.
            "draft_id": str(self.draft_ids["discard" in template] if own else 999_999),
            "version": "1" if own else "999999",
            "format": "ftc",
            "campaign_id": self.campaign_id if own else "no-such-campaign",
            "reference": "RT-0000-0000",
        }
        return template.format(**values)

    def _authorization_id(self, template: str) -> int:
        """The authorization the lift routes may lift, or, for the routes shared with every
        provider, one that stays active for them."""
        if template in {path for _, path in SHARED_WITH_PROVIDERS}:
            return self.shared_authorization_id
        return self.authorization_id


def seed_legal_process(session, clock: SimulatedClock) -> int:
    """A subpoena to AAAA in the legal process log; returns its id."""
    from robotrace.legalprocess import log

    entry = log.Entry("2020-04-20", "FCC Enforcement Bureau", "subpoena", "AAAA", "EB-1")
    return log.record(session, entry, "regulator:r", clock.now()).id


def seed_signer_request(session, clock: SimulatedClock) -> int:
    """A traceback whose call AAAA signed (attestation A), and its direct request to AAAA;
    returns the request's id (the traceback's first hop id)."""
    lead = SignerLead("AAAA", "A", "5c1a0e4e-6f0b-4d7e-9a53-1f2e3d4c5b6a")
    tb = service.open_traceback(
        session, CALL, "BBBB", "coordinator:c", clock, signer=lead, policy=settings_policy()
    )
    service.request_signer(session, tb.id, "coordinator:c", clock, Settings.from_environ())
    return session.scalar(
        select(models.Hop.id).where(models.Hop.traceback_id == tb.id, models.Hop.position == 0)
    )


#: The number-block report that assigns the campaign's call-back number to AAAA.
CODES_REPORT = (
    "State\tNPA-NXX\tOCN\tCompany\tRateCenter\tEffectiveDate\tUse\n"
    "TX\t713-342\tAAAA\tAlpha Local Telco\tHOUSTON\t01/01/1999\tAS\n"
)


def seed_trace_forward(session, campaign_id: str, clock: SimulatedClock) -> int:
    """The campaign reads out +1 713 342 1000, whose block is AAAA's, and AAAA is asked whose
    it is; returns the request's id."""
    from robotrace.numbering.blocks import BlockFile, NumberBlock
    from robotrace.numbering.store import import_blocks
    from robotrace.traceforward.requests import ask

    block = NumberBlock(
        "713342", "AAAA", "Alpha Local Telco", "HOUSTON", "TX", None, "nanpa-cocodes"
    )
    import_blocks(session, BlockFile("nanpa-cocodes", [block], 0), clock.now())
    session.get(models.Campaign, campaign_id).callback_numbers = ["+17133421000"]
    return ask(
        session, campaign_id, "+17133421000", "coordinator:c", clock, Settings.from_environ()
    ).id


#: A call delivered by AAAA, as a bulk traceback's calls file gives it.
BULK_CALL = {
    "call_id": "matrix-bulk-1",
    "called_number": "+13125550199",
    "calling_number": "+12025550143",
    "call_time": "2020-04-30T15:04:05Z",
    "terminating_provider": "AAAA",
}


def seed_bulk_traceback(session, clock: SimulatedClock, call_id: str) -> int:
    """A coordinator's bulk traceback of one call delivered by AAAA (whose agent has used
    its token, so it is asked): returns the batch request AAAA gets."""
    calls = calls_of_rows([{**BULK_CALL, "call_id": call_id}])
    coordinator = user_by_email(session, EMAIL["coordinator"])
    who = (coordinator.id, f"coordinator:{coordinator.email}")
    bulk = submit(session, calls, Options.defaults(Settings.from_environ()), who, clock)
    batch_id = session.scalar(
        select(models.BatchRequest.id).where(models.BatchRequest.bulk_id == bulk.id)
    )
    assert batch_id is not None, "AAAA has an agent: it is asked"
    return batch_id


def seed_finished_bulk_traceback(session, clock: SimulatedClock) -> int:
    """A bulk traceback AAAA has answered (its customer placed the call), so that it is done
    and its results can be fetched; returns its id."""
    batch_id = seed_bulk_traceback(session, clock, "matrix-bulk-done")
    answer = CallAnswer(1, "origin", customer="Acme Outreach", delta_ms=0, calling_matched=True)
    recorded = record_answers(session, batch_id, [answer], clock)
    assert recorded.finished
    return recorded.bulk_id


def seed_batch_request(session, clock: SimulatedClock) -> int:
    """An open batch request to AAAA (of a second bulk traceback): its id."""
    return seed_bulk_traceback(session, clock, "matrix-bulk-open")


def seed_drafts(session, clock: SimulatedClock) -> list[int]:
    """Two unsent letter drafts to AAAA (a regulator's working copies)."""
    aaaa = session.scalar(select(models.Provider).where(models.Provider.key == "AAAA"))
    drafts = [
        models.EnforcementDraft(
            provider_id=aaaa.id,
            kind="warning_letter",
            named_campaigns=["covid-test-kits"],
            actor="regulator:fcc@example.org",
            created_at=clock.now(),
            updated_at=clock.now(),
        )
        for _ in range(2)
    ]
    session.add_all(drafts)
    session.flush()
    return [d.id for d in drafts]


def seed_enforcement(session) -> tuple[int, int]:
    """A warning letter to AAAA past its deadline, and an authorization against AAAA."""
    aaaa = session.scalar(select(models.Provider).where(models.Provider.key == "AAAA"))
    common = {"provider_id": aaaa.id, "issued_at": T0 - timedelta(days=3)}
    letter = models.EnforcementAction(
        **common,
        kind="warning_letter",
        status="issued",
        mitigate_by=T0 - timedelta(days=1),
        report_by=T0 + timedelta(days=11),
        named_campaigns=["covid-test-kits"],
        evidence={"rows": []},
        document="<html><body><p>Warning letter to Alpha Local Telco</p></body></html>",
    )
    authorization = models.EnforcementAction(
        **common,
        kind="block_authorization",
        status="active",
        scope="provider",
        effective_at=T0 - timedelta(days=1),
        document="<html><body><p>Blocking authorized</p></body></html>",
    )
    session.add_all([letter, authorization])
    session.flush()
    return letter.id, authorization.id


def order_step(template: str) -> str:
    """Which of AAAA's mandatory-ladder steps a route acts on: a final order is issued on the
    initial order and lifted on the final one; every other route takes the notification."""
    if template.endswith("/final-order"):
        return "initial"
    return "final" if template.endswith("/lift") else "notification"


def seed_orders(session) -> dict[str, int]:
    """AAAA's steps of the mandatory ladder: a notification past its respond-by time and
    decided no_response, the initial order on it (past its own), and a final order in force."""
    aaaa = session.scalar(select(models.Provider).where(models.Provider.key == "AAAA"))
    common = {
        "provider_id": aaaa.id,
        "ladder": "n",
        "named_campaigns": ["covid-test-kits"],
        "evidence": {"rows": []},
        "document": "<html><body><p>Notice to Alpha Local Telco</p></body></html>",
    }
    notification = models.EnforcementAction(
        **common,
        kind="notification",
        status="no_response",
        issued_at=T0 - timedelta(days=40),
        respond_by=T0 - timedelta(days=26),
        decided_at=T0 - timedelta(days=25),
    )
    session.add(notification)
    session.flush()
    initial = models.EnforcementAction(
        **common,
        kind="initial_determination",
        status="issued",
        issued_at=T0 - timedelta(days=20),
        respond_by=T0 - timedelta(days=6),
        follows_id=notification.id,
    )
    session.add(initial)
    session.flush()
    final = models.EnforcementAction(
        **common,
        kind="final_determination",
        status="in_force",
        issued_at=T0 - timedelta(days=2),
        effective_at=T0 + timedelta(days=28),
        follows_id=initial.id,
        downstream=["BBBB"],
    )
    session.add(final)
    session.flush()
    return {"notification": notification.id, "initial": initial.id, "final": final.id}


def seed_blocking_notice(session) -> int:
    """AAAA blocks under an authorization against CCCC: its notice to the FCC."""
    cccc = session.scalar(select(models.Provider).where(models.Provider.key == "CCCC"))
    aaaa = session.scalar(select(models.Provider.id).where(models.Provider.key == "AAAA"))
    authorization = models.EnforcementAction(
        provider_id=cccc.id,
        kind="block_authorization",
        status="active",
        scope="provider",
        issued_at=T0 - timedelta(days=3),
        effective_at=T0 - timedelta(days=3),
        document="<html><body><p>Blocking authorized</p></body></html>",
    )
    session.add(authorization)
    session.flush()
    notice = models.BlockingNotice(
        authorization_id=authorization.id,
        provider_id=aaaa,
        since=T0 - timedelta(days=2),
        declared_at=T0 - timedelta(days=2, hours=1),
        basis="CCCC kept carrying the traffic named in its letter.",
        calls_blocked=3,
        document="<html><body><p>Notice of blocking by Alpha Local Telco</p></body></html>",
    )
    session.add(notice)
    session.flush()
    return notice.id


def seed_shared_authorization(session) -> int:
    """A second authorization against AAAA (two numbers), which no route lifts."""
    aaaa = session.scalar(select(models.Provider.id).where(models.Provider.key == "AAAA"))
    authorization = models.EnforcementAction(
        provider_id=aaaa,
        kind="block_authorization",
        status="active",
        scope="numbers",
        numbers=["+12025550143", "+12025550144"],
        issued_at=T0 - timedelta(days=2),
        effective_at=T0 - timedelta(days=2),
        document="<html><body><p>Blocking authorized for two numbers</p></body></html>",
    )
    session.add(authorization)
    session.flush()
    return authorization.id


def seed_campaign(session) -> str:
    """A campaign with a few calls delivered by AAAA, so that each staff role may open
    tracebacks for sample calls of it."""
    aaaa = session.scalar(select(models.Provider.id).where(models.Provider.key == "AAAA"))
    session.add(models.Campaign(id="covid-test-kits", name="COVID-19 test kits", created_at=T0))
    session.flush()
    for i in range(8):
        session.add(
            models.Call(
                source="honeypot",
                source_ref=f"matrix-{i}",
                calling_number=f"+1202555{i:04d}",
                called_number="+13125550199",
                call_time=T0 - timedelta(days=i + 1),
                terminating_provider_id=aaaa,
                transcript="Your free COVID-19 test kit is waiting.",
                campaign_id="covid-test-kits",
                imported_at=T0,
            )
        )
    session.flush()
    return "covid-test-kits"


def module_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Like ``db_url`` (tests/conftest.py), for a module-scoped world: a SQLite file, or a
    PostgreSQL schema of its own dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('matrix') / 'robotrace.db'}"
        return
    yield from _postgres_schema_url(request)


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module", params=BACKENDS)
def matrix(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Matrix]:
    yield from built_matrix(request, tmp_path_factory)


def built_matrix(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Matrix]:
    """The world of every role and kind of object on the backend ``request`` names, closed
    when the module's tests are done."""
    urls = module_database_url(request, tmp_path_factory)
    built = Matrix(next(urls), tmp_path_factory.mktemp("analytics"))
    yield built
    built.app.state.engine.dispose()
    built.engine.dispose()
    urls.close()


LEGAL_PROCESS = {"issued_on": "2020-04-21", "agency": "FTC", "kind": "cid", "provider": "BBBB"}
# Valid bodies, so that a tenant check cannot hide behind a validation error.
BODIES: dict[tuple[str, str], dict[str, object]] = {
    ("POST", "/tracebacks/{traceback_id}/withdraw"): {"data": {"reason": "opened by mistake"}},
    ("POST", "/api/v1/tracebacks/{traceback_id}/withdraw"): {
        "json": {"reason": "opened by mistake"}
    },
    ("POST", "/api/v1/hop-requests/{hop_id}/answer"): {
        "json": {"answer": "not_found", "note": "no such call"}
    },
    ("POST", "/inbox/{hop_id}"): {"data": {"kind": "not_found", "explanation": "no such call"}},
    ("POST", "/api/v1/signer-requests/{request_id}/answer"): {
        "json": {"answer": "not_found", "note": "no such origid"}
    },
    ("POST", "/inbox/signer/{request_id}"): {
        "data": {"kind": "not_found", "explanation": "no such origid"}
    },
    ("POST", "/tracebacks/{traceback_id}/signer-answer"): {
        "data": {"answer": "origin", "customer": "Acme Outreach"}
    },
    ("POST", "/api/v1/letters"): {"json": {"provider": "AAAA", "campaigns": ["covid-test-kits"]}},
    ("POST", "/api/v1/letters/preview"): {
        "json": {"provider": "AAAA", "campaigns": ["covid-test-kits"]}
    },
    ("POST", "/api/v1/letters/{letter_id}/mitigation-report"): {
        "json": {"text": "We terminated the customer's trunks."}
    },
    ("POST", "/api/v1/authorizations"): {
        "json": {"provider": "BBBB", "scope": "no_direct_traffic", "reason": "not in the RMD"}
    },
    ("POST", "/enforcement/providers/{key}/letters"): {"data": {"campaigns": "covid-test-kits"}},
    ("POST", "/enforcement/providers/{key}/notifications"): {
        "data": {"campaigns": "covid-test-kits"}
    },
    ("POST", "/enforcement/providers/{key}/preview"): {
        "data": {"kind": "warning_letter", "campaigns": "covid-test-kits"}
    },
    ("POST", "/enforcement/drafts"): {
        "data": {"provider": "AAAA", "kind": "warning_letter", "campaigns": "covid-test-kits"}
    },
    ("POST", "/api/v1/notifications"): {
        "json": {"provider": "AAAA", "campaigns": ["covid-test-kits"]}
    },
    ("POST", "/orders/{order_id}/response"): {
        "data": {"response": "blocked", "text": "We block the trunk it came in on."}
    },
    ("POST", "/api/v1/orders/{order_id}/response"): {
        "json": {"response": "blocked", "text": "We block the trunk it came in on."}
    },
    ("POST", "/orders/{order_id}/withdraw"): {"data": {"reason": "issued in error"}},
    ("POST", "/api/v1/orders/{order_id}/withdraw"): {"json": {"reason": "issued in error"}},
    ("POST", "/authorizations/{authorization_id}/blocking"): {
        "data": {"since": "2020-05-01T12:00:00Z", "calls_blocked": "2"}
    },
    ("POST", "/api/v1/authorizations/{authorization_id}/blocking"): {
        "json": {"since": "2020-05-01T12:00:00Z", "calls_blocked": 2}
    },
    ("POST", "/api/v1/blocking-counts"): {
        "json": {
            "blocker": "sbc-1",
            "period_start": "2020-05-01T12:00:00Z",
            "period_end": "2020-05-01T12:05:00Z",
            "rows": [{"reason": "invalid_number", "calls": 3}],
        }
    },
    ("POST", "/providers/{key}/contact"): {"data": {"contact_email": "noc@aaaa.example"}},
    ("POST", "/providers/{key}/identifiers"): {"data": {"kind": "name", "value": "Alpha DBA"}},
    ("POST", "/providers/{key}/time-zone"): {"data": {"time_zone": "America/Chicago"}},
    ("POST", "/providers/{key}/rmd-removal"): {"data": {"order_reference": "DA 25-694"}},
    ("POST", "/api/v1/providers/{key}/rmd-removal"): {"json": {"order_reference": "DA 25-694"}},
    ("POST", "/letters/{letter_id}/mitigation-report"): {
        "data": {"text": "We terminated the customer's trunks."}
    },
    ("POST", "/letters/{letter_id}/authorize"): {
        "data": {"scope": "provider", "reason": "still carrying"}
    },
    ("POST", "/api/v1/bulk-tracebacks"): {"json": {"calls": [BULK_CALL]}},
    ("POST", "/campaigns/{campaign_id}/not-illegal"): {"data": {"reason": "refill reminders"}},
    ("POST", "/api/v1/campaigns/{campaign_id}/not-illegal"): {"json": {"reason": "refills"}},
    ("POST", "/campaigns/{campaign_id}/trace-forward"): {"data": {"number": "+17133421000"}},
    ("POST", "/api/v1/campaigns/{campaign_id}/trace-forward"): {"json": {"number": "+17133421000"}},
    ("POST", "/inbox/trace-forward/{forward_id}"): {
        "data": {"answer": "assigned", "customer": "Acme Outreach"}
    },
    ("POST", "/api/v1/trace-forward-requests/{forward_id}/answer"): {
        "json": {"answer": "assigned", "customer": "Acme Outreach"}
    },
    ("POST", "/admin/number-blocks"): {
        "data": {},
        "files": {"report": ("allutlzd.txt", CODES_REPORT.encode(), "text/plain")},
    },
    ("POST", "/api/v1/batch-requests/{batch_id}/answer"): {
        "json": {"answers": [{"position": 1, "answer": "not_found"}]}
    },
    ("POST", "/legal-process"): {"data": LEGAL_PROCESS},
    ("POST", "/legal-process/{entry_id}"): {"data": LEGAL_PROCESS},
    ("POST", "/legal-process/{entry_id}/withdraw"): {"data": {"reason": "recorded twice"}},
    ("POST", "/api/v1/legal-process"): {"json": LEGAL_PROCESS},
    ("POST", "/api/v1/legal-process/{entry_id}"): {"json": LEGAL_PROCESS},
    ("POST", "/api/v1/legal-process/{entry_id}/withdraw"): {"json": {"reason": "recorded twice"}},
}


#: Routes whose answer is a stream that does not end: only its status and headers are read.
STREAMS = {("GET", "/api/v1/events")}


def call(client: TestClient, method: str, path: str, template: str = ""):
    headers = {"X-CSRF-Token": getattr(client, "csrf", "")}
    if (method, template) in STREAMS:
        with client.stream(method, path, follow_redirects=False) as response:
            if response.status_code != 200:
                response.read()
            return response
    if method == "GET":
        return client.get(path, follow_redirects=False)
    body = dict(BODIES.get((method, template), {}))
    if "data" in body:
        body["data"] = {**body["data"], "csrf_token": headers["X-CSRF-Token"]}  # type: ignore[dict-item]
    return client.post(path, headers=headers, follow_redirects=False, **body)  # type: ignore[arg-type]


def test_every_route_of_the_app_is_in_the_matrix(matrix: Matrix):
    assert app_routes(matrix.app) == set(ROUTES)


CASES = [
    (method, path, role, via)
    for (method, path) in ROUTES
    for role in (*ALL, "anonymous")
    for via in (("nothing",) if role == "anonymous" else ("session", "token"))
    if (method, path) != ("POST", "/logout")  # signing out would end the shared session
]


@pytest.mark.parametrize(("method", "path", "role", "via"), CASES)
def test_each_role_gets_exactly_the_routes_meant_for_it(matrix: Matrix, method, path, role, via):
    allowed = ROUTES[(method, path)]
    client = TestClient(matrix.app) if role == "anonymous" else matrix.client(role, via)
    response = call(client, method, matrix.path(path, role=role), path)
    assert response.status_code < 500, response.text
    if allowed == PUBLIC:
        return
    if role == "anonymous":
        if path.startswith("/api/"):
            assert response.status_code == 401
        else:
            assert response.status_code == 303 and response.headers["location"] == "/login"
    elif via == "token" and (method, path) in SESSION_ONLY:
        assert response.status_code == 403, response.text
    elif role in allowed:  # type: ignore[operator]
        assert response.status_code not in (401, 403, 404), response.text
    else:
        assert response.status_code in (403, 404), response.text


TENANT_ROUTES = [
    (m, p)
    for (m, p) in ROUTES
    if "{" in p and ROUTES[(m, p)] != PUBLIC and (m, p) not in SHARED_WITH_PROVIDERS
]


@pytest.mark.parametrize("via", ["session", "token"])
@pytest.mark.parametrize(("method", "path"), TENANT_ROUTES)
def test_another_providers_object_looks_exactly_like_a_missing_one(
    matrix: Matrix, method, path, via
):
    client = matrix.client("other_provider", via)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(matrix.app.state.engine, "before_cursor_execute", count)
    try:
        theirs = call(client, method, matrix.path(path, own=True), path)
        used_theirs = len(statements)
        statements.clear()
        missing = call(client, method, matrix.path(path, own=False), path)
        used_missing = len(statements)
    finally:
        event.remove(matrix.app.state.engine, "before_cursor_execute", count)
    assert theirs.status_code in (403, 404)
    assert (theirs.status_code, theirs.content) == (missing.status_code, missing.content)
    assert used_theirs == used_missing


@pytest.mark.parametrize("via", ["session", "token"])
@pytest.mark.parametrize(("method", "path"), sorted(SHARED_WITH_PROVIDERS))
def test_an_active_authorization_is_shared_with_every_provider(matrix: Matrix, method, path, via):
    client = matrix.client("other_provider", via)
    theirs = call(client, method, matrix.path(path, own=True), path)
    missing = call(client, method, matrix.path(path, own=False), path)
    assert theirs.status_code in (200, 201, 303), theirs.text
    assert missing.status_code == 404
    assert "Blocking authorized" not in missing.text


def test_signing_out_is_for_signed_in_users_only(matrix: Matrix):
    anonymous = TestClient(matrix.app).post("/logout", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login"
    client = sign_in(TestClient(matrix.app), EMAIL["regulator"])
    assert call(client, "POST", "/logout").status_code == 303
