"""Bulk tracing: every listed call's path through every provider's records at once
(docs/paths.md). ``engine.py`` is the interface and the hop loop, ``duck.py`` and
``spark.py`` the engines, ``assemble.py`` turns hop rows into paths, ``flows.py``
summarises them per campaign, ``sankey.py`` draws the flow."""
