"""Enforcement: evidence per provider, warning letters and their 48-hour clock, compliance,
block authorizations and the signed, versioned block list (docs/enforcement.md).

The rules are plain functions over data (:mod:`evidence`, :mod:`compliance`,
:mod:`authorizations`, the pure half of :mod:`blocklist`); :mod:`service` is the one place
that reads and writes the store for them, for the API, the pages and the worker alike.
"""
