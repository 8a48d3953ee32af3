"""The service's X.509 report-signing identity: a private key and its certificate.

One PEM file in a given folder holds the key (PKCS#8) followed by the certificate and any
chain, so key and certificate always travel together. Either the service creates a
self-signed identity once (atomically, mode 0600: concurrent first starts share one) or
an operator imports their own key and certificate (PEM or PKCS#12:
:mod:`~proctor.supervision.report.signer_import`). An identity is never overwritten:
reports signed with it must stay verifiable, so a replaced one is moved aside and kept.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from proctor.errors import ProctorError
from proctor.private_file import create_private_file

logger = logging.getLogger(__name__)
IDENTITY_FILE = "report-signing.pem"
SELF_SIGNED_YEARS = 30  # reports are kept for years; the certificate must outlive them
SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class SigningIdentityError(ProctorError):
    """The report-signing key or certificate is missing, unreadable or unsuitable."""


@dataclass(frozen=True)
class SigningIdentity:
    """A private key, its certificate, and the certificates above it (if any)."""

    key: SigningKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def fingerprint(self) -> str:
        """The SHA-256 of the certificate (DER), hex: how people compare certificates."""
        return certificate_fingerprint(self.certificate)

    def to_pem(self) -> bytes:
        """The key (unencrypted PKCS#8) then the certificates, as stored."""
        key = self.key.private_bytes(serialization.Encoding.PEM,
                                     serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())
        return key + b"".join(c.public_bytes(serialization.Encoding.PEM)
                              for c in (self.certificate, *self.chain))


def certificate_fingerprint(certificate: x509.Certificate) -> str:
    """The SHA-256 of ``certificate``'s DER encoding, hex."""
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def service_identity(directory: Path, create: bool = False) -> SigningIdentity:
    """The identity stored in ``directory``; with ``create``, a missing one is made
    (self-signed), otherwise a missing one is an error saying what to do."""
    path = directory / IDENTITY_FILE
    if path.exists():
        return read_identity(path.read_bytes(), None, str(path))
    if not create:
        raise SigningIdentityError(f"no report signing certificate at {path}: start the "
                                   "server once (it creates one), import your own, or "
                                   "restore it from backup")
    identity = _self_signed()
    if not create_private_file(path, identity.to_pem()):
        return read_identity(path.read_bytes(), None, str(path))
    logger.warning("created a self-signed report signing certificate: back it up",
                   extra={"path": str(path), "fingerprint": identity.fingerprint})
    return identity


def read_identity(data: bytes, passphrase: bytes | None, source: str) -> SigningIdentity:
    """The key and certificates in ``data``: PEM, or PKCS#12 when it is not PEM; refused
    with a reason saying which (not PKCS#12, a passphrase needed or wrong, no key, no
    certificate matching the key, a key neither RSA nor ECDSA)."""
    key: object
    if b"-----BEGIN" in data:
        try:
            key = serialization.load_pem_private_key(data, passphrase)
            certificates = x509.load_pem_x509_certificates(data)
        except (ValueError, TypeError) as error:
            raise SigningIdentityError(f"{source} cannot be read: {error}") from error
    else:
        key, certificates = _pkcs12(data, passphrase, source)
    if key is None:
        raise SigningIdentityError(f"{source} holds no private key: export the key with "
                                   "its certificate")
    if not isinstance(key, SigningKey):
        raise SigningIdentityError(f"{source}: the key must be RSA or ECDSA")
    public = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    matching = [c for c in certificates if c.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) == public]
    if not matching:
        raise SigningIdentityError(f"{source}: no certificate matches the private key")
    return SigningIdentity(key, matching[0],
                           tuple(c for c in certificates if c is not matching[0]))


def _pkcs12(data: bytes, passphrase: bytes | None,
            source: str) -> tuple[object, list[x509.Certificate]]:
    """The key and certificates of a PKCS#12 file; its structure is read first, so a file
    that is no PKCS#12 at all is told apart from a wrong passphrase."""
    try:
        content = asn1_pkcs12.Pfx.load(data, strict=True)["auth_safe"]["content_type"].native
    except (ValueError, TypeError, KeyError):
        content = None
    if content not in ("data", "signed_data"):
        raise SigningIdentityError(f"{source} is neither PKCS#12 (.p12, .pfx) nor PEM: "
                                   "export the key and certificate as PKCS#12")
    try:
        key, leaf, extra = pkcs12.load_key_and_certificates(data, passphrase)
    except (ValueError, TypeError) as error:
        hint = ("is protected by a passphrase: give it (--passphrase-file)" if not passphrase
                else "cannot be opened with this passphrase: check it")
        raise SigningIdentityError(f"{source} {hint}") from error
    return key, [c for c in (leaf, *extra) if c is not None]


def _self_signed() -> SigningIdentity:
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "proctor 督导报告签名"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "proctor")])
    now = datetime.now(UTC).replace(microsecond=0)
    usage = x509.KeyUsage(digital_signature=True, content_commitment=True,
                          key_encipherment=False, data_encipherment=False,
                          key_agreement=False, key_cert_sign=False, crl_sign=False,
                          encipher_only=False, decipher_only=False)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - timedelta(days=1))
                   .not_valid_after(now + timedelta(days=365 * SELF_SIGNED_YEARS))
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
                   .add_extension(usage, critical=True)
                   .sign(key, hashes.SHA256()))
    return SigningIdentity(key, certificate)
