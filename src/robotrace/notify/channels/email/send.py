"""Deliver one e-mail notification over SMTP (stdlib ``smtplib``; settings ``smtp_*``)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from sqlalchemy.orm import Session

from robotrace.clock import Clock
from robotrace.notify.channels import DeliveryError
from robotrace.notify.channels.email.render import UnknownKind, render
from robotrace.settings import Settings
from robotrace.store import models


def prepare(
    session: Session, notification: models.Notification, settings: Settings
) -> EmailMessage:
    try:
        rendered = render(notification.kind, notification.payload, settings.display_zone)
    except (UnknownKind, KeyError) as exc:
        raise DeliveryError(f"cannot render: {exc}", permanent=True) from None
    sender = settings.mail_from
    message = EmailMessage()
    message["From"] = sender
    message["To"] = notification.target
    message["Subject"] = rendered.subject
    # One Message-ID per notification: a copy sent twice after a crash is recognisable.
    domain = parseaddr(sender)[1].rpartition("@")[2] or "robotrace.invalid"
    message["Message-ID"] = f"<notification-{notification.id}@{domain}>"
    message["X-Robotrace-Kind"] = notification.kind
    message.set_content(rendered.body)
    return message


def deliver(message: EmailMessage, clock: Clock, settings: Settings) -> None:
    message["Date"] = format_datetime(clock.now())
    timeout = settings.notify_timeout_seconds
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout) as smtp:
            _authenticate(smtp, settings)
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        # 5xx is the server's final word on the address; 4xx may pass on a later attempt.
        final = all(code >= 500 for code, _ in exc.recipients.values())
        raise DeliveryError(f"recipient refused: {exc.recipients}", permanent=final) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"SMTP: {type(exc).__name__}: {exc}") from None


def _authenticate(smtp: smtplib.SMTP, settings: Settings) -> None:
    if settings.smtp_starttls:
        smtp.starttls()
    if settings.smtp_user:
        smtp.login(settings.smtp_user, settings.smtp_password)
