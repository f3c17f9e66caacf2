"""SIP Identity header values and the PASSporTs they carry (RFC 8224, RFC 8225/8588).

:func:`~robotrace.shaken.identity.parse_identity_header`,
:func:`~robotrace.shaken.identity.check_parameters` and
:func:`~robotrace.shaken.passport.decode_passport` refuse with
:class:`~robotrace.shaken.codes.ShakenFailure` (an RFC 8224 code and a reason), nothing else.
The input is also decoded as a token on its own, so the PASSporT decoder gets inputs that do
not first pass the header's grammar.
"""

from __future__ import annotations

import contextlib

from robotrace.shaken.codes import ShakenFailure
from robotrace.shaken.identity import check_parameters, parse_identity_header
from robotrace.shaken.passport import decode_passport


def test_one_input(data: bytes) -> None:
    text = data.decode("utf-8", errors="surrogateescape")
    with contextlib.suppress(ShakenFailure):
        header = parse_identity_header(text)
        check_parameters(header)
        decode_passport(header.token)
    with contextlib.suppress(ShakenFailure):
        decode_passport(text.partition(";")[0])
