"""The JSON API under ``/api/v1``: one router per area, registered in ``web/app.py``.

Every route takes its principal from :mod:`robotrace.web.deps` and reaches tenancy-sensitive
objects only through :mod:`robotrace.web.access`. Reference: docs/api.md and the OpenAPI
description at ``/api/v1/openapi.json``.
"""
