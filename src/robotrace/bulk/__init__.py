"""Federated bulk tracing (docs/paths.md, "Federated bulk tracing"): a coordinator submits
calls; the portal asks each provider's agent, in one *batch request* per provider and round,
to look the calls up in its own records; it follows the answers hop by hop until every call
ends, and writes the same ``paths.parquet`` and ``flows.json`` as ``robotrace paths``.

``rules`` holds the advancing rules (plain functions), ``submit`` takes a submission in,
``dispatch`` batches waiting calls per provider, ``answers`` records a batch's answers and
moves the calls on, ``results`` assembles the paths, ``command`` is ``robotrace bulk-trace``.
"""
