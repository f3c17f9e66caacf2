"""The portal's fixed little world (tests/web/conftest.py), for tests that drive the
accounts commands against a real store and check the result through the real API."""

from tests.web.conftest import cheap_password_hashing, world  # noqa: F401
