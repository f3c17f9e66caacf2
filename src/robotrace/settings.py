"""One registry of settings: name, default and help, read from ``ROBOTRACE_*`` variables.

A variable ``ROBOTRACE_<NAME>_FILE`` names a file whose contents are the value (for secrets).
``docs/operations.md`` lists every setting; a test fails when one is not documented.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any

from robotrace import redress


class SettingError(ValueError):
    """A setting's variable holds a value its parser refuses; the message names both."""

    @classmethod
    def refusing(cls, name: str, raw: str, reason: object) -> SettingError:
        """The error for setting ``name`` whose variable holds ``raw``, refused for ``reason``."""
        return cls(f"ROBOTRACE_{name.upper()}={raw!r}: {reason}")


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str

    @property
    def env_var(self) -> str:
        return f"ROBOTRACE_{self.name.upper()}"


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


def _clock_time(text: str) -> time:
    from robotrace.calendar import parse_clock_time  # its module loads only when asked

    return parse_clock_time(text)


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
    from robotrace.calendar import checked_zone

    return checked_zone(text.strip())


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting(
            "database_url",
            "sqlite:///robotrace.db",
            "SQLAlchemy URL of the store; the default is a SQLite file (WAL mode) in the "
            "working directory. PostgreSQL: postgresql+psycopg://user:pass@host/db",
        ),
        Setting(
            "analytics_dir",
            "robotrace-analytics",
            "Directory of the analytics store (Parquet): imported FTC and FCC complaints go to "
            "its complaints/ folder. A relative path is taken from the working directory.",
        ),
        Setting(
            "clock_file",
            "",
            "A clock file (robotrace clock set) that robotrace serve and robotrace worker take "
            "the time from, running on at the real pace from the time it sets; empty: the real "
            "time. robotrace demo --serve runs its world on one (docs/operations.md#the-clock).",
        ),
        Setting(
            "display_zone",
            "America/New_York",
            "IANA time zone in which reports, letters and notices write times for people "
            "(10 Apr 2020, 10:14 EDT).",
            _time_zone,
        ),
        Setting(
            "hop_due_hours",
            24.0,
            "Hours a provider has to answer a hop request (47 CFR 64.1200(n)(1)), counted from "
            "its deemed receipt on the business calendar (business_day_start ...).",
            _seconds,
        ),
        Setting(
            "business_day_start",
            time(8, 0),
            "When the business day starts (HH:MM, the provider's local time): a request "
            "received outside business hours is deemed received then, on the next business day.",
            _clock_time,
        ),
        Setting(
            "business_day_end",
            time(17, 0),
            "When the business day ends (HH:MM, local time; this instant is outside it). The "
            "rule names only 8:00; the end is robotrace's.",
            _clock_time,
        ),
        Setting(
            "business_zone",
            "America/New_York",
            "IANA time zone of a provider whose zone is neither set by an admin nor told by the "
            "state in its business address.",
            _time_zone,
        ),
        Setting(
            "due_rolls_to_business_day",
            True,
            "A due time outside business hours (Friday 15:00 + 24 h) moves to the next "
            "business day's start (1/0); 0: the literal rule, due 24 hours after receipt.",
            _flag,
        ),
        Setting(
            "cdr_skew_seconds",
            5.0,
            "Clock skew tolerated when a hop lookup matches a call in a provider's records.",
            _seconds,
        ),
        Setting(
            "bulk_answer_seconds",
            3600.0,
            "Seconds a provider's agent has to answer a batch request of a federated bulk "
            "traceback before its calls end no_records (robotrace bulk-trace --answer-within).",
            _positive,
        ),
        Setting(
            "agent_batch_answers",
            5000,
            "Answers the agent sends per POST when it answers a batch request (a batch of "
            "more calls goes in several parts; the portal moves each part's calls on at once).",
            _positive_int,
        ),
        Setting(
            "agent_events_keepalive_seconds",
            15.0,
            "Seconds between keep-alive comments on an idle agent event stream (GET "
            "/api/v1/events); keep it well under 75, the agents' read timeout.",
            _positive,
        ),
        Setting(
            "agent_events_per_provider",
            20,
            "Agent event streams one provider may hold open at once on each server worker; "
            "one more is answered 429.",
            _positive_int,
        ),
        Setting(
            "shutdown_grace_seconds",
            10.0,
            "Seconds robotrace serve waits, when stopped, for requests and agent event "
            "streams to finish before it cancels them.",
            _seconds,
        ),
        Setting(
            "agent_events_lifetime_seconds",
            900.0,
            "Seconds after which the server ends an agent event stream; the agent reconnects "
            "(its token checked again) and catches up.",
            _positive,
        ),
        Setting(
            "secret_key",
            "",
            "Secret for signed links (password reset) and webhook defaults. Empty: a random key "
            "is created once in the file robotrace-secret.key in the working directory.",
        ),
        Setting(
            "base_url",
            "http://127.0.0.1:8000",
            "The portal's address as people reach it, for links in e-mails; an https:// "
            "address also marks the sign-in cookies Secure (sent over HTTPS only).",
        ),
        Setting("session_days", 14.0, "Days a portal sign-in lasts.", _seconds),
        Setting(
            "login_failures_allowed",
            5,
            "Failed sign-ins allowed per e-mail address, and per client address, in 15 minutes.",
            int,
        ),
        Setting(
            "password_resets_allowed",
            3,
            "Password-reset requests accepted per e-mail address, and per client address, in "
            "15 minutes; more are refused (429) and send no e-mail.",
            int,
        ),
        Setting(
            "report_limit_per_hour",
            5,
            "Consumer reports accepted from one client address in an hour (the public form and "
            "POST /api/v1/reports together); more are refused with a time to try again.",
            int,
        ),
        Setting(
            "report_limit_per_day",
            20,
            "Consumer reports accepted from one client address in 24 hours.",
            int,
        ),
        Setting(
            "report_duplicate_minutes",
            10.0,
            "A consumer report of the same calling and called number whose call time is this "
            "close to an earlier report's is a duplicate, refused with the earlier reference.",
            _seconds,
        ),
        Setting(
            "report_max_text_chars",
            4000,
            "Longest 'what the caller said' of a consumer report, in characters; the request "
            "body may be at most 12 bytes a character plus 16 KiB.",
            int,
        ),
        Setting(
            "report_lookup_misses_per_hour",
            20,
            "Report references one client address may look up in an hour without finding "
            "them (/report/RT-...); past it, every lookup from there answers 429 for the hour.",
            _positive_int,
        ),
        Setting(
            "operator_name",
            "",
            "Who runs this portal (an agency, a traceback group), named at the foot of every "
            "page and on /privacy; one line, at most 200 characters.",
            _one_line(200),
        ),
        Setting(
            "operator_address",
            "",
            "The operator's postal address, on one line (e.g. 45 L Street NE, Washington, DC "
            "20554), at the foot of every page and on /privacy; at most 300 characters.",
            _one_line(300),
        ),
        Setting(
            "operator_contact_email",
            "",
            "The e-mail address people write to about the portal and their data (privacy "
            "questions, a report to withdraw), at the foot of every page and on /privacy.",
            _contact_email,
        ),
        Setting(
            "privacy_notice_file",
            "",
            "A UTF-8 text file (at most 100 KiB; paragraphs apart by blank lines) that /privacy "
            "shows instead of the built-in notice; empty: the built-in one, which says what a "
            "report stores, who sees it and how long it is kept.",
            _notice_file,
        ),
        Setting("smtp_host", "127.0.0.1", "SMTP server for e-mail notifications."),
        Setting("smtp_port", 25, "SMTP server port.", int),
        Setting("smtp_user", "", "SMTP user name (empty: no authentication)."),
        Setting("smtp_password", "", "SMTP password; use ROBOTRACE_SMTP_PASSWORD_FILE."),
        Setting("smtp_starttls", False, "Use STARTTLS (1/0).", _flag),
        Setting("mail_from", "robotrace <robotrace@localhost>", "From: address of e-mails."),
        Setting(
            "follow_foreign",
            True,
            "Send hop requests to foreign providers too (1/0). When off, a traceback that "
            "reaches a foreign provider ends there with outcome foreign_origin.",
            _flag,
        ),
        Setting(
            "reminder_hours",
            4.0,
            "Hours before a hop request's due time when the provider gets a reminder.",
            _seconds,
        ),
        Setting(
            "no_response_grace_hours",
            1.0,
            "Hours after the due time when robotrace worker marks a silent hop no_response "
            "(the traceback closes non_responsive); off: never, coordinators mark by hand.",
            _hours_or_off,
        ),
        Setting(
            "notify_max_attempts",
            6,
            "Delivery attempts of one notification before it is marked failed.",
            int,
        ),
        Setting(
            "notify_backoff_seconds",
            60.0,
            "Wait after the first failed delivery; it doubles after each further failure.",
            _seconds,
        ),
        Setting(
            "notify_timeout_seconds",
            10.0,
            "Timeout of each network call when delivering (SMTP connect and send, webhook POST).",
            _seconds,
        ),
        Setting(
            "notify_claim_seconds",
            300.0,
            "How long a worker's claim on a message lasts; a crashed worker's message is sent "
            "again (same Message-ID) after it. Keep it well above notify_timeout_seconds.",
            _seconds,
        ),
        Setting(
            "evidence_window_days",
            60.0,
            "Days of tracebacks (by call time) counted as evidence against a provider and for "
            "ranking letter candidates (the FCC picked targets by most tracebacks in 60 days).",
            _seconds,
        ),
        Setting(
            "mitigate_hours",
            48.0,
            "Hours a warning letter gives the provider to stop the named traffic (mitigate_by).",
            _seconds,
        ),
        Setting(
            "report_days",
            14.0,
            "Days a warning letter gives the provider to report its mitigation measures.",
            _seconds,
        ),
        Setting(
            "enforcement_decisions",
            "regulator",
            "Who decides compliance: regulator (the worker proposes, a regulator decides) or "
            "automatic (the worker decides its proposal; the demo's mode).",
            _decisions,
        ),
        Setting(
            "notification_response_days",
            14.0,
            "Days a Notification of Suspected Illegal Traffic gives the provider to respond "
            "(the rule says promptly; robotrace's default).",
            _seconds,
        ),
        Setting(
            "initial_order_response_days",
            14.0,
            "Days an Initial Determination Order gives the provider to respond (at least 14).",
            _order_days,
        ),
        Setting(
            "final_order_block_days",
            30.0,
            "Days after a Final Determination Order when the providers immediately downstream "
            "must block all of the provider's traffic.",
            _seconds,
        ),
        Setting(
            "compliance_grace_hours",
            24.0,
            "Hours after a letter's mitigate_by when robotrace worker decides complied or "
            "noncompliant, so that tracebacks of post-deadline calls can arrive first.",
            _seconds,
        ),
        Setting(
            "letter_agencies",
            "Federal Communications Commission, Enforcement Bureau; Federal Trade Commission",
            "The agencies that sign warning letters and block notices, separated by ';'.",
        ),
        Setting(
            "letter_template",
            "",
            "Path of a Jinja2 HTML template for warning letters; empty: the shipped one "
            "(robotrace/enforcement/templates/warning_letter.html). It is checked when read: "
            "a file that cannot be read, parsed or rendered with the letter's variables "
            "(docs/enforcement.md) is refused, naming the line.",
            str.strip,
        ),
        Setting(
            "letter_signatory",
            "",
            "Who signs warning letters (a name, one line); empty: the issuing regulator's "
            "account name (or e-mail).",
            _one_line(200),
        ),
        Setting(
            "letter_signatory_title",
            "",
            "The signatory's title under the signature (e.g. Chief, Telecommunications "
            "Consumers Division); empty: the first of letter_agencies.",
            _one_line(200),
        ),
        Setting(
            "letter_contact",
            "",
            "Whom a provider asks about a letter, one line (name, telephone, e-mail); empty: "
            "operator_contact_email.",
            _one_line(300),
        ),
        Setting(
            "block_notice_template",
            "",
            "Path of a Jinja2 HTML template for block-authorization notices; empty: the shipped "
            "one (robotrace/enforcement/templates/block_notice.html).",
        ),
        Setting(
            "blocklist_redress_url",
            "",
            "Redress page the signed block list names for every entry, an https:// URL; "
            "{reference} is replaced by the entry's reference (BA-000012, FDO-000007). "
            "Blockers answer it as the 603+ url. Empty: the blocker's own.",
            _redress(redress.check_url_template),
        ),
        Setting(
            "blocklist_redress_tel",
            "",
            "Redress telephone number (E.164) the signed block list names for every entry.",
            _redress(redress.check_tel),
        ),
        Setting(
            "blocklist_redress_email",
            "",
            "Redress e-mail address the signed block list names for every entry.",
            _redress(redress.check_email),
        ),
        Setting(
            "blocklist_signing_key",
            "",
            "Path of the Ed25519 private key (PEM, PKCS#8) that signs the block list. Empty: a "
            "key is created once in robotrace-blocklist.key in the working directory.",
        ),
        Setting(
            "rmd_recertification_due",
            "03-01",
            "The yearly date (MM-DD) by which RMD filers must recertify; a listed provider "
            "whose last recertification is older than the last such date is overdue.",
            _month_day,
        ),
        Setting(
            "blocker_public_key",
            "",
            "Path of the portal's block-list public key (PEM) that robotrace blocker and "
            "robotrace screen verify every list with; --public-key overrides it.",
        ),
        Setting(
            "blocker_trunks_file",
            "",
            "Path of the blocker's trunk table (CSV: source,tgrp,trunk_context,ocn and an "
            "optional trust_tgrp) mapping a source address, and the RFC 4904 trunk groups a "
            "source row allows, to the upstream OCN; empty: none.",
        ),
        Setting(
            "blocker_tgrp_is_ocn",
            False,
            "A tgrp that equals a known OCN names that provider when the trunk table has no row "
            "for it (1/0); only where the tgrp is trusted (a source row's trust_tgrp).",
            _flag,
        ),
        Setting(
            "blocker_shaken",
            "off",
            "What robotrace blocker does with a call whose Identity header fails STIR/SHAKEN "
            "verification: off, flag (allow, flagged shaken_failed) or block (needs "
            "shaken_trust_anchors).",
        ),
        Setting(
            "blocker_cache_file",
            "",
            "Path where robotrace blocker keeps the last verified block list, to serve it after "
            "a restart until the portal answers; empty: no cache.",
        ),
        Setting(
            "blocker_max_list_age_hours",
            168.0,
            "Hours after its generated_at that the blocker's list counts as stale on /health "
            "(it still blocks with it); 0 or off: no limit.",
            _hours_or_off,
        ),
        Setting(
            "blocker_sip_tcp_idle_seconds",
            30.0,
            "Seconds a SIP TCP connection may go without completing a message before the "
            "blocker closes it.",
            _positive,
        ),
        Setting(
            "blocker_sip_tcp_max_per_address",
            32,
            "SIP TCP connections one source address may hold open; more are closed at once.",
            _positive_int,
        ),
        Setting(
            "blocker_sip_processes",
            0,
            "Processes answering the blocker's SIP port (one shared UDP and TCP socket); 0: "
            "one per CPU; 1: SIP on a thread of the HTTP process. --sip-processes overrides it.",
            _count,
        ),
        Setting(
            "blocker_report_token",
            "",
            "A read-write API token (rt_rw_…) of a user of the blocking provider: with it "
            "robotrace blocker reports its counts of blocked calls to the portal; empty: no "
            "reports. Use ROBOTRACE_BLOCKER_REPORT_TOKEN_FILE. --token overrides it.",
        ),
        Setting(
            "blocker_report_interval",
            300.0,
            "Seconds between the blocker's reports of blocked calls to the portal.",
            _positive,
        ),
        Setting(
            "blocker_name",
            "",
            "The name this blocker reports its counts under (one provider may run several); "
            "empty: the machine's host name.",
        ),
        Setting(
            "blocker_max_body_bytes",
            16 * 1024 * 1024,
            "Longest request body the blocker's HTTP API reads; a longer one is answered 413.",
            _positive_int,
        ),
        Setting(
            "blocker_dno_file",
            "",
            "Path of a Do-Not-Originate list (one number per line, # comments) the blocker "
            "blocks as calling numbers; empty: none.",
        ),
        Setting(
            "blocker_redress_url",
            "",
            "The blocker operator's redress page, an https:// URL: the 603+ url for its own "
            "rules (DNO, invalid numbers, STIR/SHAKEN) and for list entries that name none.",
            _redress(redress.check_url),
        ),
        Setting(
            "blocker_redress_tel",
            "",
            "The blocker operator's redress telephone number in E.164 (+12025550100), the "
            "603+ tel, for the same calls as blocker_redress_url.",
            _redress(redress.check_tel),
        ),
        Setting(
            "blocker_redress_email",
            "",
            "The blocker operator's redress e-mail address, the 603+ email, for the same "
            "calls as blocker_redress_url.",
            _redress(redress.check_email),
        ),
        Setting(
            "blocker_location",
            "RLN",
            "Where the blocker stands in the call path, the 603+ location (RFC 8606): RLN "
            "(the called party's network, a terminating provider) or TN (a transit network); "
            "also U, LPN, LN, RPN.",
            _location,
        ),
        Setting(
            "blocker_critical_callers_file",
            "",
            "Path of a file of critical callers (PSAPs, government emergency numbers; one "
            "number per line, # comments) whose calls no rule blocks; empty: none. Calls to "
            "911, 933, 988, the other N11 codes and sos URNs are never blocked either way.",
        ),
        Setting(
            "blocker_block_invalid",
            True,
            "Block calling numbers that cannot be assigned (invalid NANP, garbage) (1/0).",
            _flag,
        ),
        Setting(
            "blocker_block_empty",
            False,
            "Block calls with no calling number at all (1/0); anonymous calls are lawful.",
            _flag,
        ),
        Setting(
            "blocker_nanp_n11",
            True,
            "Treat N11 codes (211 ... 911) as NPA or NXX as unassignable (1/0).",
            _flag,
        ),
        Setting(
            "blocker_nanp_reserved_npa",
            True,
            "Treat the reserved NPAs N9X, 37X and 96X as unassignable (1/0).",
            _flag,
        ),
        Setting(
            "shaken_trust_anchors",
            "",
            "STIR/SHAKEN trust anchors: a PEM file, or a folder of PEM/DER files, holding the "
            "STI-PA's approved STI-CA roots; empty: no certificate chain is trusted.",
        ),
        Setting(
            "shaken_crl",
            "",
            "A CRL (PEM or DER) or a folder of them that STIR/SHAKEN certificate chains are "
            "checked against; empty: no revocation check.",
        ),
        Setting(
            "shaken_freshness_seconds",
            60.0,
            "A PASSporT's iat may differ from the verification time by this many seconds, "
            "either way, before it is 403 Stale Date.",
            _seconds,
        ),
        Setting(
            "shaken_fetch_timeout_seconds",
            5.0,
            "Timeout of fetching a signer's certificate from its x5u URL.",
            _seconds,
        ),
        Setting(
            "shaken_cache_seconds",
            3600.0,
            "Longest time a fetched certificate is cached per x5u URL (never past the "
            "certificate's expiry or the server's Cache-Control max-age).",
            _seconds,
        ),
        Setting(
            "shaken_negative_cache_seconds",
            60.0,
            "Time a failed x5u fetch is remembered, so a broken URL is not fetched per call.",
            _seconds,
        ),
        Setting(
            "shaken_x5u_ports",
            "443,8443",
            "Ports an x5u URL may use, separated by commas.",
        ),
        Setting(
            "shaken_allow_private_x5u",
            False,
            "Fetch x5u URLs whose host is a private, loopback or other special-purpose "
            "address (1/0); for labs only.",
            _flag,
        ),
        Setting(
            "shaken_x5u_tls_ca",
            "",
            "A PEM file of CA certificates that x5u HTTPS servers are checked against instead "
            "of the system's (for a lab's own certificate server); empty: the system's.",
        ),
        Setting(
            "blocker_nanp_fictional_555",
            False,
            "Treat 555-0100 ... 555-0199 (reserved for fiction) as unassignable (1/0).",
            _flag,
        ),
        Setting(
            "log_level",
            "INFO",
            "Lowest level that serve, worker, blocker and agent log: DEBUG, INFO, WARNING, ERROR.",
            _log_level,
        ),
        Setting(
            "log_format",
            "text",
            "text: one readable line per event; json: one JSON object per line (time, level, "
            "logger, message, and the request's fields for access lines), for log collectors.",
            _log_format,
        ),
        Setting(
            "metrics_token",
            "",
            "Bearer token that GET /metrics requires; empty: /metrics answers only clients on "
            "this machine (a loopback address). Use ROBOTRACE_METRICS_TOKEN_FILE.",
        ),
        Setting(
            "statistics_days",
            28,
            "Days the public statistics page shows when no period is asked for: the last ones "
            "up to the latest day a stored complaint was filed on.",
            int,
        ),
        Setting(
            "effects_window_days",
            7.0,
            "Days before and after each letter and block authorization over which its named "
            "campaigns' complaints and calls are compared (statistics page, stats --effects).",
            _seconds,
        ),
    ]
}


def get(name: str) -> Any:
    """The value of setting ``name``: from the environment, a ``_FILE``, or the default."""
    setting = SETTINGS[name]
    raw = os.environ.get(setting.env_var)
    file_name = os.environ.get(setting.env_var + "_FILE")
    if raw is None and file_name:
        raw = Path(file_name).read_text().strip()
    if raw is None:
        return setting.default
    try:
        return setting.parse(raw)
    except ValueError as exc:
        raise SettingError.refusing(name, raw, exc) from None
