"""The settings: one typed, frozen :class:`Settings`, read once from ``ROBOTRACE_*`` variables.

Each setting is a field of :class:`Settings` with its default, its help and its parser kept
together. :meth:`Settings.from_environ` reads them all and checks every value, so a command
builds them once when it starts and a bad value stops it there with one line naming the
variable; the parts are handed the settings (or the values they need), as the clock is.

A variable ``ROBOTRACE_<NAME>_FILE`` names a file whose contents are the value (for secrets).
``docs/operations.md`` lists every setting; a test fails when one is not documented.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from robotrace import redress
from robotrace.timezones import checked_zone, parse_clock_time

if TYPE_CHECKING:
    import click


class SettingError(ValueError):
    """A setting's variable holds a value its parser refuses; the message names both."""

    @classmethod
    def refusing(cls, name: str, raw: str, reason: object) -> SettingError:
        """The error for setting ``name`` whose variable holds ``raw``, refused for ``reason``."""
        return cls(f"ROBOTRACE_{name.upper()}={raw!r}: {reason}")


def _seconds(text: str) -> float:
    value = float(text)
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise ValueError("must be more than 0")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError("must be 1 or more")
    return value


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError("must be 0 or more")
    return value


def _hours_or_off(text: str) -> float | None:
    if text.strip().lower() in {"off", "none"}:
        return None
    return _seconds(text)


def _log_level(text: str) -> str:
    level = text.strip().upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
    return level


def _log_format(text: str) -> str:
    form = text.strip().lower()
    if form not in {"text", "json"}:
        raise ValueError("must be text or json")
    return form


def _month_day(text: str) -> str:
    from datetime import date

    try:
        month, day = (int(part) for part in text.strip().split("-"))
        date(2024, month, day)
    except ValueError:
        raise ValueError(f"not a day of the year as MM-DD: {text!r}") from None
    return f"{month:02d}-{day:02d}"


def _decisions(text: str) -> str:
    mode = text.strip().lower()
    if mode not in {"regulator", "automatic"}:
        raise ValueError("must be regulator or automatic")
    return mode


def _order_days(text: str) -> float:
    value = _seconds(text)
    if value < 14:
        raise ValueError("47 CFR 64.1200(n) gives at least 14 days to respond")
    return value


def _flag(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "yes", "on"}


def _redress(check: Callable[[str], str]) -> Callable[[str], str]:
    """A 603+ redress value's parser: ``check`` (:mod:`robotrace.redress`) of the stripped text,
    as ATIS-1000099 requires."""

    def parse(text: str) -> str:
        try:
            return check(text.strip())
        except redress.InvalidRedress as exc:
            raise ValueError(str(exc)) from None

    return parse


def _location(text: str) -> str:
    try:
        return redress.check_location(text.strip().upper())
    except redress.InvalidRedress as exc:
        raise ValueError(str(exc)) from None


def _one_line(limit: int) -> Callable[[str], str]:
    """Text shown on public pages: one line of printable characters, at most ``limit``."""

    def parse(text: str) -> str:
        value = " ".join(text.split())
        if len(value) > limit:
            raise ValueError(f"{len(value)} characters: at most {limit}")
        if not value.isprintable():
            raise ValueError("holds control characters")
        return value

    return parse


def _contact_email(text: str) -> str:
    import re

    address = text.strip()
    if address and (len(address) > 254 or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s.]+", address)):
        raise ValueError("not an e-mail address like privacy@example.org")
    return address


def _notice_file(text: str) -> str:
    """A readable UTF-8 text file of at most 100 KiB, or empty (the built-in notice)."""
    path = Path(text.strip())
    if not text.strip():
        return ""
    try:
        if path.stat().st_size > 100 * 1024:
            raise ValueError(f"{path} is over 100 KiB")
        path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {path} as UTF-8 text ({exc})") from None
    return str(path)


def _time_zone(text: str) -> str:
    return checked_zone(text.strip())


_EIGHT, _SEVENTEEN = time(8, 0), time(17, 0)  # the business day's defaults


def setting(default: Any, help: str, parse: Callable[[str], Any] = str) -> Any:
    """A field of :class:`Settings`: its default, with its help and its parser as metadata."""
    return field(default=default, metadata={"help": help, "parse": parse})


@dataclass(frozen=True)
class Settings:
    """Every setting, typed: build it once with :meth:`from_environ` (or ``Settings()`` for the
    defaults, :func:`dataclasses.replace` for a test's) and pass it to what needs it."""

    database_url: str = setting(
        "sqlite:///robotrace.db",
        "SQLAlchemy URL of the store; the default is a SQLite file (WAL mode) in the "
        "working directory. PostgreSQL: postgresql+psycopg://user:pass@host/db",
    )
    analytics_dir: str = setting(
        "robotrace-analytics",
        "Directory of the analytics store (Parquet): imported FTC and FCC complaints go to "
        "its complaints/ folder. A relative path is taken from the working directory.",
    )
    clock_file: str = setting(
        "",
        "A clock file (robotrace clock set) that robotrace serve and robotrace worker take "
        "the time from, running on at the real pace from the time it sets; empty: the real "
        "time. robotrace demo --serve runs its world on one (docs/operations.md#the-clock).",
    )
    display_zone: str = setting(
        "America/New_York",
        "IANA time zone in which reports, letters and notices write times for people "
        "(10 Apr 2020, 10:14 EDT).",
        _time_zone,
    )
    hop_due_hours: float = setting(
        24.0,
        "Hours a provider has to answer a hop request (47 CFR 64.1200(n)(1)), counted from "
        "its deemed receipt on the business calendar (business_day_start ...).",
        _seconds,
    )
    business_day_start: time = setting(  # noqa: RUF009 (a field, like field(); time is immutable)
        _EIGHT,
        "When the business day starts (HH:MM, the provider's local time): a request "
        "received outside business hours is deemed received then, on the next business day.",
        parse_clock_time,
    )
    business_day_end: time = setting(  # noqa: RUF009 (as above)
        _SEVENTEEN,
        "When the business day ends (HH:MM, local time; this instant is outside it). The "
        "rule names only 8:00; the end is robotrace's.",
        parse_clock_time,
    )
    business_zone: str = setting(
        "America/New_York",
        "IANA time zone of a provider whose zone is neither set by an admin nor told by the "
        "state in its business address.",
        _time_zone,
    )
    due_rolls_to_business_day: bool = setting(
        True,
        "A due time outside business hours (Friday 15:00 + 24 h) moves to the next "
        "business day's start (1/0); 0: the literal rule, due 24 hours after receipt.",
        _flag,
    )
    cdr_skew_seconds: float = setting(
        5.0,
        "Clock skew tolerated when a hop lookup matches a call in a provider's records.",
        _seconds,
    )
    bulk_answer_seconds: float = setting(
        3600.0,
        "Seconds a provider's agent has to answer a batch request of a federated bulk "
        "traceback before its calls end no_records (robotrace bulk-trace --answer-within).",
        _positive,
    )
    agent_batch_answers: int = setting(
        5000,
        "Answers the agent sends per POST when it answers a batch request (a batch of "
        "more calls goes in several parts; the portal moves each part's calls on at once).",
        _positive_int,
    )
    agent_events_keepalive_seconds: float = setting(
        15.0,
        "Seconds between keep-alive comments on an idle agent event stream (GET "
        "/api/v1/events); keep it well under 75, the agents' read timeout.",
        _positive,
    )
    agent_events_per_provider: int = setting(
        20,
        "Agent event streams one provider may hold open at once on each server worker; "
        "one more is answered 429.",
        _positive_int,
    )
    shutdown_grace_seconds: float = setting(
        10.0,
        "Seconds robotrace serve waits, when stopped, for requests and agent event "
        "streams to finish before it cancels them.",
        _seconds,
    )
    agent_events_lifetime_seconds: float = setting(
        900.0,
        "Seconds after which the server ends an agent event stream; the agent reconnects "
        "(its token checked again) and catches up.",
        _positive,
    )
    secret_key: str = setting(
        "",
        "Secret for signed links (password reset) and webhook defaults. Empty: a random key "
        "is created once in the file robotrace-secret.key in the working directory.",
    )
    base_url: str = setting(
        "http://127.0.0.1:8000",
        "The portal's address as people reach it, for links in e-mails; an https:// "
        "address also marks the sign-in cookies Secure (sent over HTTPS only).",
    )
    session_days: float = setting(
        14.0,
        "Days a portal sign-in lasts.",
        _seconds,
    )
    login_failures_allowed: int = setting(
        5,
        "Failed sign-ins allowed per e-mail address, and per client address, in 15 minutes.",
        int,
    )
    password_resets_allowed: int = setting(
        3,
        "Password-reset requests accepted per e-mail address, and per client address, in "
        "15 minutes; more are refused (429) and send no e-mail.",
        int,
    )
    report_limit_per_hour: int = setting(
        5,
        "Consumer reports accepted from one client address in an hour (the public form and "
        "POST /api/v1/reports together); more are refused with a time to try again.",
        int,
    )
    report_limit_per_day: int = setting(
        20,
        "Consumer reports accepted from one client address in 24 hours.",
        int,
    )
    report_duplicate_minutes: float = setting(
        10.0,
        "A consumer report of the same calling and called number whose call time is this "
        "close to an earlier report's is a duplicate, refused with the earlier reference.",
        _seconds,
    )
    report_max_text_chars: int = setting(
        4000,
        "Longest 'what the caller said' of a consumer report, in characters; the request "
        "body may be at most 12 bytes a character plus 16 KiB.",
        int,
    )
    report_lookup_misses_per_hour: int = setting(
        20,
        "Report references one client address may look up in an hour without finding "
        "them (/report/RT-...); past it, every lookup from there answers 429 for the hour.",
        _positive_int,
    )
    operator_name: str = setting(
        "",
        "Who runs this portal (an agency, a traceback group), named at the foot of every "
        "page and on /privacy; one line, at most 200 characters.",
        _one_line(200),
    )
    operator_address: str = setting(
        "",
        "The operator's postal address, on one line (e.g. 45 L Street NE, Washington, DC "
        "20554), at the foot of every page and on /privacy; at most 300 characters.",
        _one_line(300),
    )
    operator_contact_email: str = setting(
        "",
        "The e-mail address people write to about the portal and their data (privacy "
        "questions, a report to withdraw), at the foot of every page and on /privacy.",
        _contact_email,
    )
    privacy_notice_file: str = setting(
        "",
        "A UTF-8 text file (at most 100 KiB; paragraphs apart by blank lines) that /privacy "
        "shows instead of the built-in notice; empty: the built-in one, which says what a "
        "report stores, who sees it and how long it is kept.",
        _notice_file,
    )
    smtp_host: str = setting(
        "127.0.0.1",
        "SMTP server for e-mail notifications.",
    )
    smtp_port: int = setting(
        25,
        "SMTP server port.",
        int,
    )
    smtp_user: str = setting(
        "",
        "SMTP user name (empty: no authentication).",
    )
    smtp_password: str = setting(
        "",
        "SMTP password; use ROBOTRACE_SMTP_PASSWORD_FILE.",
    )
    smtp_starttls: bool = setting(
        False,
        "Use STARTTLS (1/0).",
        _flag,
    )
    mail_from: str = setting(
        "robotrace <robotrace@localhost>",
        "From: address of e-mails.",
    )
    follow_foreign: bool = setting(
        True,
        "Send hop requests to foreign providers too (1/0). When off, a traceback that "
        "reaches a foreign provider ends there with outcome foreign_origin.",
        _flag,
    )
    reminder_hours: float = setting(
        4.0,
        "Hours before a hop request's due time when the provider gets a reminder.",
        _seconds,
    )
    no_response_grace_hours: float | None = setting(
        1.0,
        "Hours after the due time when robotrace worker marks a silent hop no_response "
        "(the traceback closes non_responsive); off: never, coordinators mark by hand.",
        _hours_or_off,
    )
    notify_max_attempts: int = setting(
        6,
        "Delivery attempts of one notification before it is marked failed.",
        int,
    )
    notify_backoff_seconds: float = setting(
        60.0,
        "Wait after the first failed delivery; it doubles after each further failure.",
        _seconds,
    )
    notify_timeout_seconds: float = setting(
        10.0,
        "Timeout of each network call when delivering (SMTP connect and send, webhook POST).",
        _seconds,
    )
    notify_claim_seconds: float = setting(
        300.0,
        "How long a worker's claim on a message lasts; a crashed worker's message is sent "
        "again (same Message-ID) after it. Keep it well above notify_timeout_seconds.",
        _seconds,
    )
    evidence_window_days: float = setting(
        60.0,
        "Days of tracebacks (by call time) counted as evidence against a provider and for "
        "ranking letter candidates (the FCC picked targets by most tracebacks in 60 days).",
        _seconds,
    )
    mitigate_hours: float = setting(
        48.0,
        "Hours a warning letter gives the provider to stop the named traffic (mitigate_by).",
        _seconds,
    )
    report_days: float = setting(
        14.0,
        "Days a warning letter gives the provider to report its mitigation measures.",
        _seconds,
    )
    enforcement_decisions: str = setting(
        "regulator",
        "Who decides compliance: regulator (the worker proposes, a regulator decides) or "
        "automatic (the worker decides its proposal; the demo's mode).",
        _decisions,
    )
    notification_response_days: float = setting(
        14.0,
        "Days a Notification of Suspected Illegal Traffic gives the provider to respond "
        "(the rule says promptly; robotrace's default).",
        _seconds,
    )
    initial_order_response_days: float = setting(
        14.0,
        "Days an Initial Determination Order gives the provider to respond (at least 14).",
        _order_days,
    )
    final_order_block_days: float = setting(
        30.0,
        "Days after a Final Determination Order when the providers immediately downstream "
        "must block all of the provider's traffic.",
        _seconds,
    )
    compliance_grace_hours: float = setting(
        24.0,
        "Hours after a letter's mitigate_by when robotrace worker decides complied or "
        "noncompliant, so that tracebacks of post-deadline calls can arrive first.",
        _seconds,
    )
    letter_agencies: str = setting(
        "Federal Communications Commission, Enforcement Bureau; Federal Trade Commission",
        "The agencies that sign warning letters and block notices, separated by ';'.",
    )
    letter_template: str = setting(
        "",
        "Path of a Jinja2 HTML template for warning letters; empty: the shipped one "
        "(robotrace/enforcement/templates/warning_letter.html). It is checked when read: "
        "a file that cannot be read, parsed or rendered with the letter's variables "
        "(docs/enforcement.md) is refused, naming the line.",
        str.strip,
    )
    letter_signatory: str = setting(
        "",
        "Who signs warning letters (a name, one line); empty: the issuing regulator's "
        "account name (or e-mail).",
        _one_line(200),
    )
    letter_signatory_title: str = setting(
        "",
        "The signatory's title under the signature (e.g. Chief, Telecommunications "
        "Consumers Division); empty: the first of letter_agencies.",
        _one_line(200),
    )
    letter_contact: str = setting(
        "",
        "Whom a provider asks about a letter, one line (name, telephone, e-mail); empty: "
        "operator_contact_email.",
        _one_line(300),
    )
    block_notice_template: str = setting(
        "",
        "Path of a Jinja2 HTML template for block-authorization notices; empty: the shipped "
        "one (robotrace/enforcement/templates/block_notice.html).",
    )
    blocklist_redress_url: str = setting(
        "",
        "Redress page the signed block list names for every entry, an https:// URL; "
        "{reference} is replaced by the entry's reference (BA-000012, FDO-000007). "
        "Blockers answer it as the 603+ url. Empty: the blocker's own.",
        _redress(redress.check_url_template),
    )
    blocklist_redress_tel: str = setting(
        "",
        "Redress telephone number (E.164) the signed block list names for every entry.",
        _redress(redress.check_tel),
    )
    blocklist_redress_email: str = setting(
        "",
        "Redress e-mail address the signed block list names for every entry.",
        _redress(redress.check_email),
    )
    blocklist_signing_key: str = setting(
        "",
        "Path of the Ed25519 private key (PEM, PKCS#8) that signs the block list. Empty: a "
        "key is created once in robotrace-blocklist.key in the working directory.",
    )
    rmd_recertification_due: str = setting(
        "03-01",
        "The yearly date (MM-DD) by which RMD filers must recertify; a listed provider "
        "whose last recertification is older than the last such date is overdue.",
        _month_day,
    )
    blocker_public_key: str = setting(
        "",
        "Path of the portal's block-list public key (PEM) that robotrace blocker and "
        "robotrace screen verify every list with; --public-key overrides it.",
    )
    blocker_trunks_file: str = setting(
        "",
        "Path of the blocker's trunk table (CSV: source,tgrp,trunk_context,ocn and an "
        "optional trust_tgrp) mapping a source address, and the RFC 4904 trunk groups a "
        "source row allows, to the upstream OCN; empty: none.",
    )
    blocker_tgrp_is_ocn: bool = setting(
        False,
        "A tgrp that equals a known OCN names that provider when the trunk table has no row "
        "for it (1/0); only where the tgrp is trusted (a source row's trust_tgrp).",
        _flag,
    )
    blocker_shaken: str = setting(
        "off",
        "What robotrace blocker does with a call whose Identity header fails STIR/SHAKEN "
        "verification: off, flag (allow, flagged shaken_failed) or block (needs "
        "shaken_trust_anchors).",
    )
    blocker_cache_file: str = setting(
        "",
        "Path where robotrace blocker keeps the last verified block list, to serve it after "
        "a restart until the portal answers; empty: no cache.",
    )
    blocker_max_list_age_hours: float | None = setting(
        168.0,
        "Hours after its generated_at that the blocker's list counts as stale on /health "
        "(it still blocks with it); 0 or off: no limit.",
        _hours_or_off,
    )
    blocker_sip_tcp_idle_seconds: float = setting(
        30.0,
        "Seconds a SIP TCP connection may go without completing a message before the "
        "blocker closes it.",
        _positive,
    )
    blocker_sip_tcp_max_per_address: int = setting(
        32,
        "SIP TCP connections one source address may hold open; more are closed at once.",
        _positive_int,
    )
    blocker_sip_processes: int = setting(
        0,
        "Processes answering the blocker's SIP port (one shared UDP and TCP socket); 0: "
        "one per CPU; 1: SIP on a thread of the HTTP process. --sip-processes overrides it.",
        _count,
    )
    blocker_report_token: str = setting(
        "",
        "A read-write API token (rt_rw_…) of a user of the blocking provider: with it "
        "robotrace blocker reports its counts of blocked calls to the portal; empty: no "
        "reports. Use ROBOTRACE_BLOCKER_REPORT_TOKEN_FILE. --token overrides it.",
    )
    blocker_report_interval: float = setting(
        300.0,
        "Seconds between the blocker's reports of blocked calls to the portal.",
        _positive,
    )
    blocker_name: str = setting(
        "",
        "The name this blocker reports its counts under (one provider may run several); "
        "empty: the machine's host name.",
    )
    blocker_max_body_bytes: int = setting(
        16 * 1024 * 1024,
        "Longest request body the blocker's HTTP API reads; a longer one is answered 413.",
        _positive_int,
    )
    blocker_dno_file: str = setting(
        "",
        "Path of a Do-Not-Originate list (one number per line, # comments) the blocker "
        "blocks as calling numbers; empty: none.",
    )
    blocker_redress_url: str = setting(
        "",
        "The blocker operator's redress page, an https:// URL: the 603+ url for its own "
        "rules (DNO, invalid numbers, STIR/SHAKEN) and for list entries that name none.",
        _redress(redress.check_url),
    )
    blocker_redress_tel: str = setting(
        "",
        "The blocker operator's redress telephone number in E.164 (+12025550100), the "
        "603+ tel, for the same calls as blocker_redress_url.",
        _redress(redress.check_tel),
    )
    blocker_redress_email: str = setting(
        "",
        "The blocker operator's redress e-mail address, the 603+ email, for the same "
        "calls as blocker_redress_url.",
        _redress(redress.check_email),
    )
    blocker_location: str = setting(
        "RLN",
        "Where the blocker stands in the call path, the 603+ location (RFC 8606): RLN "
        "(the called party's network, a terminating provider) or TN (a transit network); "
        "also U, LPN, LN, RPN.",
        _location,
    )
    blocker_critical_callers_file: str = setting(
        "",
        "Path of a file of critical callers (PSAPs, government emergency numbers; one "
        "number per line, # comments) whose calls no rule blocks; empty: none. Calls to "
        "911, 933, 988, the other N11 codes and sos URNs are never blocked either way.",
    )
    blocker_block_invalid: bool = setting(
        True,
        "Block calling numbers that cannot be assigned (invalid NANP, garbage) (1/0).",
        _flag,
    )
    blocker_block_empty: bool = setting(
        False,
        "Block calls with no calling number at all (1/0); anonymous calls are lawful.",
        _flag,
    )
    blocker_nanp_n11: bool = setting(
        True,
        "Treat N11 codes (211 ... 911) as NPA or NXX as unassignable (1/0).",
        _flag,
    )
    blocker_nanp_reserved_npa: bool = setting(
        True,
        "Treat the reserved NPAs N9X, 37X and 96X as unassignable (1/0).",
        _flag,
    )
    shaken_trust_anchors: str = setting(
        "",
        "STIR/SHAKEN trust anchors: a PEM file, or a folder of PEM/DER files, holding the "
        "STI-PA's approved STI-CA roots; empty: no certificate chain is trusted.",
    )
    shaken_crl: str = setting(
        "",
        "A CRL (PEM or DER) or a folder of them that STIR/SHAKEN certificate chains are "
        "checked against; empty: no revocation check.",
    )
    shaken_freshness_seconds: float = setting(
        60.0,
        "A PASSporT's iat may differ from the verification time by this many seconds, "
        "either way, before it is 403 Stale Date.",
        _seconds,
    )
    shaken_fetch_timeout_seconds: float = setting(
        5.0,
        "Timeout of fetching a signer's certificate from its x5u URL.",
        _seconds,
    )
    shaken_cache_seconds: float = setting(
        3600.0,
        "Longest time a fetched certificate is cached per x5u URL (never past the "
        "certificate's expiry or the server's Cache-Control max-age).",
        _seconds,
    )
    shaken_negative_cache_seconds: float = setting(
        60.0,
        "Time a failed x5u fetch is remembered, so a broken URL is not fetched per call.",
        _seconds,
    )
    shaken_x5u_ports: str = setting(
        "443,8443",
        "Ports an x5u URL may use, separated by commas.",
    )
    shaken_allow_private_x5u: bool = setting(
        False,
        "Fetch x5u URLs whose host is a private, loopback or other special-purpose "
        "address (1/0); for labs only.",
        _flag,
    )
    shaken_x5u_tls_ca: str = setting(
        "",
        "A PEM file of CA certificates that x5u HTTPS servers are checked against instead "
        "of the system's (for a lab's own certificate server); empty: the system's.",
    )
    blocker_nanp_fictional_555: bool = setting(
        False,
        "Treat 555-0100 ... 555-0199 (reserved for fiction) as unassignable (1/0).",
        _flag,
    )
    log_level: str = setting(
        "INFO",
        "Lowest level that serve, worker, blocker and agent log: DEBUG, INFO, WARNING, ERROR.",
        _log_level,
    )
    log_format: str = setting(
        "text",
        "text: one readable line per event; json: one JSON object per line (time, level, "
        "logger, message, and the request's fields for access lines), for log collectors.",
        _log_format,
    )
    metrics_token: str = setting(
        "",
        "Bearer token that GET /metrics requires; empty: /metrics answers only clients on "
        "this machine (a loopback address). Use ROBOTRACE_METRICS_TOKEN_FILE.",
    )
    statistics_days: int = setting(
        28,
        "Days the public statistics page shows when no period is asked for: the last ones "
        "up to the latest day a stored complaint was filed on.",
        int,
    )
    effects_window_days: float = setting(
        7.0,
        "Days before and after each letter and block authorization over which its named "
        "campaigns' complaints and calls are compared (statistics page, stats effects).",
        _seconds,
    )

    def __post_init__(self) -> None:
        if not self.business_day_start < self.business_day_end:
            raise SettingError(
                f"ROBOTRACE_BUSINESS_DAY_END ({self.business_day_end:%H:%M}) must be after "
                f"ROBOTRACE_BUSINESS_DAY_START ({self.business_day_start:%H:%M})"
            )

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings that the ``ROBOTRACE_*`` variables of ``environ`` (default: this
        process's) give, every value checked: the first bad one is a :class:`SettingError`."""
        environ = os.environ if environ is None else environ
        values = {}
        for name, one in SETTINGS.items():
            raw = one.raw(environ)
            if raw is not None:
                values[name] = one.read(raw)
        return cls(**values)


@dataclass(frozen=True)
class Setting:
    """One setting as the documentation lists it: its name, default, help and parser."""

    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str

    @property
    def env_var(self) -> str:
        return f"ROBOTRACE_{self.name.upper()}"

    def raw(self, environ: Mapping[str, str]) -> str | None:
        """The variable's text, or the ``_FILE``'s contents; None when neither is set."""
        raw = environ.get(self.env_var)
        file_name = environ.get(self.env_var + "_FILE")
        if raw is None and file_name:
            try:
                raw = Path(file_name).read_text().strip()
            except (OSError, UnicodeDecodeError) as exc:
                raise SettingError(
                    f"{self.env_var}_FILE={file_name!r}: cannot read it ({exc})"
                ) from None
        return raw

    def read(self, raw: str) -> Any:
        """``raw`` parsed; a value the parser refuses is a :class:`SettingError` naming both."""
        try:
            return self.parse(raw)
        except ValueError as exc:
            raise SettingError.refusing(self.name, raw, exc) from None


SETTINGS: dict[str, Setting] = {
    one.name: Setting(one.name, one.default, one.metadata["help"], one.metadata["parse"])
    for one in fields(Settings)
}


#: The defaults, for values that have no environment to come from (a test's, a library call's).
DEFAULTS = Settings()


def settings_of(ctx: click.Context) -> Settings:
    """The settings the ``robotrace`` group built when the command started (read now when a
    command runs outside it)."""
    found = ctx.find_object(Settings)
    return found if found is not None else Settings.from_environ()


def pass_settings(command: Callable[..., Any]) -> Callable[..., Any]:
    """A click command's decorator: it is called with the command's settings first."""
    import click  # only for commands: the portal's workers never load it for this

    @functools.wraps(command)
    def with_settings(*args: Any, **kwargs: Any) -> Any:
        return command(settings_of(click.get_current_context()), *args, **kwargs)

    return with_settings


def or_setting(name: str, convert: Callable[[Any], Any] | None = None) -> Callable[..., Any]:
    """A click option's callback: the value given, or else the setting ``name`` (passed
    through ``convert``, e.g. :class:`~pathlib.Path`)."""

    def given_or_setting(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        if value is not None:
            return value
        found = getattr(settings_of(ctx), name)
        return convert(found) if convert is not None else found

    return given_or_setting
