"""Who runs the portal, as public pages say it at their foot and on ``/privacy``.

The operator's name, postal address and contact e-mail come from settings
(``operator_name``, ``operator_address``, ``operator_contact_email``), checked where they
enter (:mod:`robotrace.settings`); ``privacy_notice_file`` replaces the built-in notice.
The portal reads them with the other settings when it starts, so a bad value stops it with
the variable named rather than failing every page; pages get the operator of their app's
settings (:func:`operator_of`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from robotrace.settings import Settings


@dataclass(frozen=True)
class Operator:
    name: str
    address: str
    email: str
    notice_file: str

    @property
    def named(self) -> bool:
        return bool(self.name)

    def notice(self) -> list[str]:
        """The operator's own privacy notice as paragraphs; empty for the built-in one."""
        if not self.notice_file:
            return []
        text = Path(self.notice_file).read_text(encoding="utf-8")
        return [" ".join(part.split()) for part in text.split("\n\n") if part.strip()]


def operator_of(settings: Settings) -> Operator:
    """Who runs the portal, by ``settings``."""
    return Operator(
        name=settings.operator_name,
        address=settings.operator_address,
        email=settings.operator_contact_email,
        notice_file=settings.privacy_notice_file,
    )
