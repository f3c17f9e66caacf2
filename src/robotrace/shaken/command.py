"""``robotrace shaken verify`` and ``robotrace shaken sign``."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from robotrace.settings import or_setting, settings_of

if TYPE_CHECKING:
    from robotrace.shaken.certificate import CertificateBundle
    from robotrace.shaken.verify import Verifier, VerifyResult


@click.group()
def shaken() -> None:
    """Verify and sign STIR/SHAKEN Identity headers (docs/shaken.md)."""


def _read(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise click.BadParameter(str(exc), param_hint="SOURCE") from None


def _verifier(ca: tuple[str, ...], crl: tuple[str, ...]) -> Verifier:
    from robotrace.shaken.chain import TrustStore
    from robotrace.shaken.verify import Verifier

    verifier = Verifier.from_settings(settings_of(click.get_current_context()))
    if ca or crl:
        try:
            verifier.trust = TrustStore.from_paths(ca or [], crl)
        except (OSError, ValueError) as exc:
            raise click.BadParameter(f"cannot read: {exc}", param_hint="--ca/--crl") from None
    return verifier


def _certificate(path: str | None) -> CertificateBundle | None:
    from robotrace.shaken.certificate import load_bundle
    from robotrace.shaken.codes import ShakenFailure

    if path is None:
        return None
    try:
        return load_bundle(Path(path).read_bytes())
    except (OSError, ShakenFailure) as exc:
        raise click.BadParameter(str(exc), param_hint="--cert") from None


async def _verify_text(
    text: str, verifier: Verifier, orig: tuple[str, ...], dest: tuple[str, ...],
    at: datetime | None, certificate: CertificateBundle | None,
) -> VerifyResult:  # fmt: skip
    from robotrace.shaken import sip

    if sip.looks_like_request(text):
        request = sip.parse_request(text)
        return await verifier.verify_request(
            request, orig=orig or None, dest=dest or None, at=at, certificate=certificate
        )
    value = "".join(line.strip() for line in text.strip().splitlines())
    return await verifier.verify(
        value, orig=orig or None, dest=dest or None, at=at, certificate=certificate
    )


def _describe(result: VerifyResult) -> str:
    if not result.valid:
        return f"invalid: {result.code} {result.phrase}: {result.reason}"
    text = (
        f"valid: attestation {result.attest}, signed by SPC {result.spc}; orig {result.orig} "
        f"→ dest {', '.join(result.dest)}; iat {result.iat}; origid {result.origid}"
    )
    notes = "".join(f"\n  lint {note.code}: {note.text}" for note in result.lint)
    return text + notes


@shaken.command()
@click.argument("source", default="-", metavar="[SOURCE]")
@click.option("--cert", "cert", metavar="PEM", help="Use this certificate, not the x5u URL's.")
@click.option("--ca", multiple=True, metavar="PEM", help="Trust anchor file or folder (repeat).")
@click.option("--crl", multiple=True, metavar="CRL", help="CRL file or folder (repeat).")
@click.option("--at", "at", metavar="TIME", help="Verify as of this time (ISO-8601 or epoch).")
@click.option("--orig", multiple=True, metavar="N", help="The caller's number (repeat).")
@click.option("--dest", multiple=True, metavar="N", help="The callee's number (repeat).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def verify(
    source: str, cert: str | None, ca: tuple[str, ...], crl: tuple[str, ...], at: str | None,
    orig: tuple[str, ...], dest: tuple[str, ...], as_json: bool,
) -> None:  # fmt: skip
    """Verify an Identity header (from a file, or standard input).

    SOURCE (default -, standard input) holds a whole SIP request (its P-Asserted-Identity/From
    and To/Request-URI give the numbers unless --orig/--dest do) or a bare Identity header
    value. Trust anchors come from --ca or the shaken_trust_anchors setting. The exit status
    is 0 when the header verifies, 1 when it does not.
    """
    from robotrace.clock import parse_utc

    try:
        when = parse_utc(at) if at else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--at") from None
    verifier, certificate = _verifier(ca, crl), _certificate(cert)
    result = asyncio.run(_verify_text(_read(source), verifier, orig, dest, when, certificate))
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
    else:
        click.echo(_describe(result))
    sys.exit(0 if result.valid else 1)


@shaken.command()
@click.option("--key", required=True, metavar="PEM", help="The signer's P-256 private key.")
@click.option("--x5u", required=True, metavar="URL", help="https URL of the signer's certificate.")
@click.option(
    "--attest", required=True, type=click.Choice(["A", "B", "C"]), help="Attestation level."
)
@click.option("--orig", required=True, metavar="N", help="The calling number.")
@click.option("--dest", required=True, multiple=True, metavar="N", help="Called number (repeat).")
@click.option("--origid", metavar="UUID", help="Origination identifier; default: a new UUID.")
@click.option("--iat", metavar="TIME", help="Signing time (ISO-8601 or epoch); default: now.")
def sign(
    key: str, x5u: str, attest: str, orig: str, dest: tuple[str, ...], origid: str | None,
    iat: str | None,
) -> None:  # fmt: skip
    """Sign a call; print its Identity header value (labs, tests)."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    from robotrace.clock import SystemClock, parse_utc
    from robotrace.shaken.sign import sign_identity

    try:
        private_key = load_pem_private_key(Path(key).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise click.BadParameter(str(exc), param_hint="--key") from None
    if not isinstance(private_key, ec.EllipticCurvePrivateKey):
        raise click.BadParameter("not an EC private key", param_hint="--key")
    try:
        when = parse_utc(iat) if iat else SystemClock().now()
        header = sign_identity(
            private_key, x5u, attest=attest, orig=orig, dest=list(dest),
            iat=int(when.timestamp()), origid=origid,
        )  # fmt: skip
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(header)


SIM_X5U_BASE = "https://certs.sim.example"


@shaken.command("verify-calls")
@click.option(
    "--database-url",
    metavar="URL",
    callback=or_setting("database_url"),
    help="The store (default: setting).",
)
@click.option("--ca", multiple=True, metavar="PEM", help="Trust anchor file or folder (repeat).")
@click.option("--crl", multiple=True, metavar="CRL", help="CRL file or folder (repeat).")
@click.option(
    "--certs", "certs", metavar="DIR", type=click.Path(file_okay=False, exists=True),
    help="Signer certificates known out of band (e.g. a simulated world's certs/), used "
    "instead of fetching x5u; with no --ca, DIR/sti-root.pem is the trust anchor.",
)  # fmt: skip
@click.option(
    "--x5u-base", default=SIM_X5U_BASE, show_default=True, metavar="URL",
    help="The URL the --certs files are served under (NAME.pem at URL/NAME.pem).",
)  # fmt: skip
@click.option("--again", is_flag=True, help="Verify calls that have a result already, too.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def verify_calls(
    database_url: str, ca: tuple[str, ...], crl: tuple[str, ...], certs: str | None,
    x5u_base: str, again: bool, as_json: bool,
) -> None:  # fmt: skip
    """Verify the Identity headers of the stored evidence calls (as of each call's time) and
    store the results; calls with a result are skipped unless --again."""
    from robotrace.clock import SystemClock
    from robotrace.shaken.stored_calls import load_certificate_folder
    from robotrace.shaken.stored_calls import verify_calls as verify_stored_calls
    from robotrace.store.db import current_revision, existing_engine, head_revision, transaction

    folder = Path(certs) if certs else None
    if folder is not None and not ca and (folder / "sti-root.pem").is_file():
        ca = (str(folder / "sti-root.pem"),)
    verifier = _verifier(ca, crl)
    known = load_certificate_folder(folder, x5u_base) if folder is not None else {}
    engine = existing_engine(database_url)
    try:
        if current_revision(engine) != head_revision():
            raise click.UsageError("the store's schema is not up to date: run robotrace db upgrade")
        with transaction(engine) as session:
            counts = verify_stored_calls(session, verifier, SystemClock(), known, again)
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps(counts.as_dict(), indent=2))
        return
    invalid = ", ".join(f"{n} × {code}" for code, n in sorted(counts.codes.items()))
    click.echo(f"verified {counts.verified} call(s): {counts.valid} valid" + (
        f"; invalid: {invalid}" if invalid else ""))  # fmt: skip
