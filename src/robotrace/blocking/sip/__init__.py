"""The blocking service's SIP redirect server (docs/sip.md).

INVITE → ``603 Network Blocked`` with a Reason header naming the cause, the authorization and
the redress contact, or a 3xx redirect to the next hop; UDP and TCP; stateless.
"""

from robotrace.blocking.sip.answer import (
    Decider,
    SipService,
    UpstreamOf,
    reason_header,
    reason_text,
    tgrp_as_ocn,
)
from robotrace.blocking.sip.server import (
    RunningSipServer,
    SipServer,
    serve_service,
    serve_sip,
    serve_sip_in_thread,
)
from robotrace.blocking.sip.tcp import TcpLimits
from robotrace.blocking.sip.udp import Backoff

__all__ = [
    "Backoff",
    "Decider",
    "RunningSipServer",
    "SipServer",
    "SipService",
    "TcpLimits",
    "UpstreamOf",
    "reason_header",
    "reason_text",
    "serve_service",
    "serve_sip",
    "serve_sip_in_thread",
    "tgrp_as_ocn",
]
