"""What the blocking tests in every folder share: the ``sipp`` command (Debian package
sip-tester), the real SIP network's fixture, skipped where it is missing (failed with
``CI=true``)."""

from __future__ import annotations

from tests.network.conftest import sipp  # noqa: F401 (the fixture)
