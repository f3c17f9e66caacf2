"""A local HTTPS server that serves x5u certificates, for tests and labs.

It runs ``http.server`` on a thread behind TLS with a self-signed certificate of its own
(for ``localhost`` and ``127.0.0.1``); a client trusts it through
:meth:`CertServer.client_ssl_context`, or by pointing the ``shaken_x5u_tls_ca`` setting at
:attr:`CertServer.tls_ca_file`. Routes can
answer an error status or answer slowly, and every request is counted, so tests can see the
verifier's cache at work.
"""

from __future__ import annotations

import ipaddress
import ssl
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from robotrace.clock import SystemClock


@dataclass
class Route:
    body: bytes
    status: int = 200
    delay: float = 0.0  # seconds before answering
    headers: dict[str, str] = field(default_factory=dict)
    drip: float = 0.0  # seconds between the body's 64-byte pieces (a slow-drip server)


def _usage() -> x509.KeyUsage:
    """Server signing and, as its own trust anchor, certificate signing (strict X.509)."""
    return x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=False,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip


def _server_credential(directory: Path) -> tuple[Path, Path, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "robotrace lab x5u server")])
    now = SystemClock().now()
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    (directory / "server.pem").write_bytes(cert_pem)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (directory / "server.key").write_bytes(key_pem)
    return directory / "server.pem", directory / "server.key", cert_pem


def _handler(server: CertServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            server.hits[path] += 1
            route = server.routes.get(path, Route(b"not found\n", 404))
            time.sleep(route.delay)
            self.send_response(route.status)
            self.send_header("Content-Type", "application/pem-certificate-chain")
            self.send_header("Content-Length", str(len(route.body)))
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.end_headers()
            step = 64 if route.drip else max(len(route.body), 1)
            for start in range(0, len(route.body), step):
                self.wfile.write(route.body[start : start + step])
                self.wfile.flush()
                time.sleep(route.drip)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@dataclass
class CertServer:
    """A running certificate server; :meth:`stop` it (or use it as a context manager)."""

    host: str = "127.0.0.1"
    port: int = 0
    routes: dict[str, Route] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    tls_ca_pem: bytes = b""
    tls_ca_file: Path | None = None

    def start(self) -> CertServer:
        self._directory = tempfile.TemporaryDirectory(prefix="robotrace-x5u-")
        cert_file, key_file, self.tls_ca_pem = _server_credential(Path(self._directory.name))
        self.tls_ca_file = cert_file
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        self._httpd = ThreadingHTTPServer((self.host, self.port), _handler(self))
        self._httpd.daemon_threads = True
        self._httpd.socket = context.wrap_socket(
            self._httpd.socket, server_side=True, do_handshake_on_connect=False
        )
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def put(self, path: str, body: bytes, *, status: int = 200, delay: float = 0.0,
            headers: dict[str, str] | None = None, drip: float = 0.0) -> str:  # fmt: skip
        """Serve ``body`` at ``path``; returns its https URL."""
        self.routes[path] = Route(body, status, delay, headers or {}, drip)
        return self.url(path)

    def url(self, path: str) -> str:
        return f"https://{self.host}:{self.port}{path}"

    def client_ssl_context(self) -> ssl.SSLContext:
        """An SSL context that trusts this server (and nothing else)."""
        return ssl.create_default_context(cadata=self.tls_ca_pem.decode("ascii"))

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
        self._directory.cleanup()

    def __enter__(self) -> CertServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_certificates(host: str = "127.0.0.1", port: int = 0) -> CertServer:
    """Start a certificate server on ``host`` and a free (or the given) port."""
    return CertServer(host, port).start()
