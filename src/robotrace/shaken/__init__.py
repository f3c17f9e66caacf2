"""STIR/SHAKEN: verify and sign caller-ID signatures (RFC 8224, RFC 8225, RFC 8588).

The pieces, one idea per module: ``identity`` (the SIP Identity header), ``passport`` (the
PASSporT JWS), ``certificate`` (the signer's certificate and its TNAuthList SPC), ``chain``
(trust anchors, path validation, CRLs), ``lint`` (certificate profile deviations), ``fetch``
(x5u over HTTPS, cached), ``verify`` (the verification service and its RFC 8224 codes),
``sign`` (the authentication service), ``labpki`` and ``certserver`` (a lab PKI and an HTTPS
certificate server for tests and the simulator), ``command`` (the CLI). See docs/shaken.md.
"""
