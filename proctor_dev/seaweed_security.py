"""Security of the embedded SeaweedFS: JWT keys and mutual TLS for every port but S3.

``weed mini`` opens master, volume, filer and admin ports (HTTP and gRPC) next to S3. Without
protection, one plain request to the master (``/col/delete``) or the filer (``DELETE`` on a
version path) destroys footage under COMPLIANCE retention. :func:`write_security_config`
writes ``security.toml`` into the store's folder (``weed`` reads it from its working
directory) with fresh JWT signing keys for filer and volume reads and writes, and a private
CA whose certificate every component must present: HTTP and gRPC on the internal ports then
require mutual TLS, and only the S3 port answers plain requests (with S3 signatures).
"""

from __future__ import annotations

import ipaddress
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from proctor.private_file import write_private_file

# Components whose gRPC server or client must present the node certificate.
GRPC_COMPONENTS = ("master", "volume", "filer", "s3", "admin", "client", "msg_broker", "worker")
# Components whose HTTP server requires HTTPS with a client certificate from the CA.
HTTPS_COMPONENTS = ("master", "volume", "filer", "admin")
CERT_LIFETIME = timedelta(days=3650)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _write_certificates(tls_dir: Path) -> tuple[Path, Path, Path]:
    """A private CA and one node certificate (server and client use) signed by it."""
    now = datetime.now(UTC) - timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("proctor embedded seaweedfs CA"))
          .issuer_name(_name("proctor embedded seaweedfs CA")).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now)
          .not_valid_after(now + CERT_LIFETIME)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .sign(ca_key, hashes.SHA256()))
    node_key = ec.generate_private_key(ec.SECP256R1())
    node = (x509.CertificateBuilder().subject_name(_name("seaweedfs")).issuer_name(ca.subject)
            .public_key(node_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + CERT_LIFETIME)
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                                  ExtendedKeyUsageOID.CLIENT_AUTH]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = tls_dir / "ca.crt", tls_dir / "node.crt", tls_dir / "node.key"
    for path, data in zip(paths, (ca.public_bytes(serialization.Encoding.PEM),
                                  node.public_bytes(serialization.Encoding.PEM),
                                  _pem_key(node_key)), strict=True):
        write_private_file(path, data)
    return paths


def _jwt_section(name: str) -> str:
    return f'[{name}]\nkey = "{secrets.token_hex(32)}"\nexpires_after_seconds = 10\n'


def write_security_config(folder: Path) -> Path:
    """Write ``folder/security.toml`` (and ``folder/tls/``) with fresh keys; its path.

    New keys on every start are fine: nothing outside the running store holds them."""
    ca, cert, key = _write_certificates(folder / "tls")
    sections = [_jwt_section(name) for name in ("jwt.signing", "jwt.signing.read",
                                                 "jwt.filer_signing", "jwt.filer_signing.read")]
    sections += ["[access]\nui = false\n", "[filer.expose_directory_metadata]\nenabled = false\n",
                 f'[grpc]\nca = "{ca}"\n']
    sections += [f'[grpc.{c}]\ncert = "{cert}"\nkey = "{key}"\n' for c in GRPC_COMPONENTS]
    sections += [f'[https.{c}]\ncert = "{cert}"\nkey = "{key}"\nca = "{ca}"\n'
                 for c in HTTPS_COMPONENTS]
    sections.append(f'[https.client]\nenabled = true\ncert = "{cert}"\nkey = "{key}"\n'
                    f'ca = "{ca}"\n')
    path = folder / "security.toml"
    write_private_file(path, "\n".join(sections).encode())
    return path
