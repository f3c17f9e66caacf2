"""The canonical CDR schema: one row per call leg, as its owning provider saw it.

See docs/formats.md. Providers are named by OCN. ``from_provider`` is empty when the caller is
the provider's own customer (then ``customer`` names it); ``to_provider`` is empty when the
provider delivered the call to its own subscriber. ``trunk`` names the ingress a switch
recorded (``source=192.0.2.7:5060``, ``trunk=carrier-a``): a leg with a ``trunk`` but neither
``from_provider`` nor ``customer`` came in on a trunk its provider's trunk map does not map
(``robotrace.cdr.trunkmap``), and no answer may be drawn from it.
"""

from __future__ import annotations

import pyarrow as pa

CDR_COLUMNS = (
    "provider",
    "call_time",
    "calling_number",
    "called_number",
    "from_provider",
    "to_provider",
    "customer",
    "duration_s",
    "disposition",
    "identity",
    "sip_call_id",
    "trunk",
)
#: The columns of records whose every leg is mapped (the simulator writes these): no ``trunk``.
MAPPED_COLUMNS = CDR_COLUMNS[:-1]
REQUIRED_COLUMNS = ("provider", "call_time", "calling_number", "called_number")

#: Arrow schema of canonical CDR Parquet files as robotrace writes them.
CDR_SCHEMA = pa.schema(
    [
        ("provider", pa.string()),
        ("call_time", pa.timestamp("ms", tz="UTC")),
        ("calling_number", pa.string()),
        ("called_number", pa.string()),
        ("from_provider", pa.string()),
        ("to_provider", pa.string()),
        ("customer", pa.string()),
        ("duration_s", pa.int32()),
        ("disposition", pa.string()),
        ("identity", pa.string()),
        ("sip_call_id", pa.string()),
        ("trunk", pa.string()),
    ]
)

DISPOSITIONS = ("ANSWERED", "NO ANSWER", "BUSY", "FAILED")

#: The matching keys the canonical store adds (``robotrace.numbers.digits_key``).
KEY_COLUMNS = ("called_key", "calling_key")

#: Arrow schema of the per-provider store files (``robotrace.cdr.store``).
STORE_SCHEMA = pa.schema([*CDR_SCHEMA, *(pa.field(k, pa.string()) for k in KEY_COLUMNS)])
