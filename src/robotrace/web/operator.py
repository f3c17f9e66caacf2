"""Who runs the portal, as public pages say it at their foot and on ``/privacy``.

The operator's name, postal address and contact e-mail come from settings
(``operator_name``, ``operator_address``, ``operator_contact_email``), checked where they
enter (:mod:`robotrace.settings`); ``privacy_notice_file`` replaces the built-in notice.
``robotrace serve`` reads them once at start (:func:`check_operator`), so a bad value stops
it with the variable named rather than failing every page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from robotrace import settings


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


def operator() -> Operator:
    return Operator(
        name=settings.get("operator_name"),
        address=settings.get("operator_address"),
        email=settings.get("operator_contact_email"),
        notice_file=settings.get("privacy_notice_file"),
    )


def check_operator() -> None:
    """Raise :class:`robotrace.settings.SettingError` now for a bad operator setting."""
    operator()
