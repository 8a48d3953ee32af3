"""A real RFC 3161 timestamp authority on 127.0.0.1 for tests: an HTTP server in a thread
answering ``application/timestamp-query`` POSTs. The tokens are made by pyHanko's
``DummyTimeStamper`` (a TSA in-process) with a certificate of its own, created here and
marked for time stamping (critical extended key usage), as a public TSA's is."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

TSA_NAME = "测试时间戳服务"


@dataclass
class LocalTsa:
    """Where the TSA listens, its certificate's SHA-256, and what it has answered."""

    url: str
    fingerprint: str
    requests: list[bytes] = field(default_factory=list)
    refuse: bool = False  # answer 500 instead of a token


def _tsa_identity() -> tuple[asn1_x509.Certificate, asn1_keys.PrivateKeyInfo]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # pyHanko's: RSA
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, TSA_NAME)])
    now = datetime.now(UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - timedelta(days=1))
                   .not_valid_after(now + timedelta(days=30))
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                                  critical=True)
                   .sign(key, hashes.SHA256()))
    der_key = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return (asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)),
            asn1_keys.PrivateKeyInfo.load(der_key))


@contextmanager
def local_tsa() -> Iterator[LocalTsa]:
    """A TSA serving on an ephemeral port of 127.0.0.1 until the block ends."""
    certificate, key = _tsa_identity()
    stamper = DummyTimeStamper(tsa_cert=certificate, tsa_key=key)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            tsa.requests.append(body)
            if tsa.refuse:
                self.send_error(500, "TSA down")
                return
            reply = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *_args: object) -> None:
            """Quiet: the tests read ``requests``."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tsa = LocalTsa(f"http://127.0.0.1:{server.server_address[1]}/tsa",
                   certificate.sha256.hex())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield tsa
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
