"""Consumers report unwanted calls: the public form and ``POST /api/v1/reports``.

A report is checked field by field (:mod:`~robotrace.reports.checks`), filed under the abuse
rules — rate limits per client address, duplicates — with its reporter kept apart
(:mod:`~robotrace.reports.filing`), and then becomes evidence: a complaint in the analytics
store with only the FTC's eight public columns, and an evidence call that joins its campaign
(:mod:`~robotrace.reports.evidence`). :mod:`~robotrace.reports.export` writes those public
columns and nothing else. See docs/reports.md.
"""
