"""Importing an operator's own report-signing certificate, and describing the one in use.

The file (PKCS#12, or PEM) is checked before anything is stored: the key matches the
certificate (:func:`~proctor.supervision.report.identity.read_identity`), the certificate is
valid now, and its key usage allows signing (:func:`check_signing_certificate`). It is then
stored where the report signer reads it (``data_dir/report-signing.pem``, mode 0600). An
identity already there is never overwritten: without ``replace`` the import is refused; with
it, the old file is moved aside (``report-signing.retired-<time>-<fingerprint>.pem``, kept
0600) so reports signed with it stay verifiable by its fingerprint. The server reads the
identity when it starts. Neither the passphrase nor the key is ever logged or printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, ObjectIdentifier

from proctor.private_file import create_private_file
from proctor.supervision.report.identity import (
    IDENTITY_FILE,
    SigningIdentity,
    SigningIdentityError,
    read_identity,
)

# extended key usages a PDF signing certificate may carry (when it names any at all)
SIGNING_USAGES = frozenset({
    ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE, ExtendedKeyUsageOID.EMAIL_PROTECTION,
    ObjectIdentifier("1.3.6.1.5.5.7.3.36"),  # id-kp-documentSigning (RFC 9336)
    ObjectIdentifier("1.3.6.1.4.1.311.10.3.12"),  # Microsoft document signing
    ObjectIdentifier("1.2.840.113583.1.1.5"),  # Adobe authentic documents trust
})


@dataclass(frozen=True)
class Imported:
    """The identity now in use, and where the one it replaced was kept (if any)."""

    identity: SigningIdentity
    path: Path
    retired: Path | None
    retired_fingerprint: str | None


def check_signing_certificate(certificate: x509.Certificate, now: datetime) -> None:
    """:class:`SigningIdentityError` unless ``certificate`` is valid at ``now`` and its key
    usage (and extended key usage, when present) allows signing documents."""
    if now > certificate.not_valid_after_utc:
        raise SigningIdentityError(f"the certificate expired on "
                                   f"{certificate.not_valid_after_utc:%Y-%m-%d %H:%M} UTC: "
                                   "import a current one")
    if now < certificate.not_valid_before_utc:
        raise SigningIdentityError(f"the certificate is not valid before "
                                   f"{certificate.not_valid_before_utc:%Y-%m-%d %H:%M} UTC")
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is not None and not (usage.digital_signature or usage.content_commitment):
        raise SigningIdentityError("the certificate's key usage allows neither "
                                   "digitalSignature nor nonRepudiation: it cannot sign")
    try:
        extended = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not SIGNING_USAGES & set(extended):
        names = ", ".join(oid.dotted_string for oid in extended)
        raise SigningIdentityError(f"the certificate's extended key usage ({names}) does "
                                   "not include document signing or e-mail protection")


def import_signer(directory: Path, data: bytes, passphrase: bytes | None, source: str,
                  replace: bool = False, now: datetime | None = None) -> Imported:
    """Check and store an operator's identity in ``directory`` (see the module docstring)."""
    identity = read_identity(data, passphrase, source)
    check_signing_certificate(identity.certificate, now or datetime.now(UTC))
    path = directory / IDENTITY_FILE
    retired, old_fingerprint = None, None
    if path.exists():
        old = read_identity(path.read_bytes(), None, str(path))
        if old.fingerprint == identity.fingerprint:
            raise SigningIdentityError(f"this certificate is already in use ({path})")
        if not replace:
            raise SigningIdentityError(
                f"{path} already holds certificate {old.fingerprint}: give --replace to "
                "retire it (it is kept beside, so its reports stay verifiable)")
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
        retired = path.with_name(f"report-signing.retired-{stamp}-{old.fingerprint[:16]}.pem")
        path.rename(retired)
        old_fingerprint = old.fingerprint
    if not create_private_file(path, identity.to_pem()):
        raise SigningIdentityError(f"{path} was created meanwhile by another process: "
                                   "check it with 'proctor supervision signer show'")
    return Imported(identity, path, retired, old_fingerprint)


def describe(identity: SigningIdentity, path: Path) -> dict[str, object]:
    """What an operator checks of the identity in use: never the key itself."""
    certificate, key = identity.certificate, identity.key
    if isinstance(key, rsa.RSAPrivateKey):
        algorithm = f"RSA-{key.key_size}"
    else:
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        algorithm = f"ECDSA {key.curve.name}"
    return {"path": str(path), "fingerprint_sha256": identity.fingerprint,
            "subject": certificate.subject.rfc4514_string(),
            "issuer": certificate.issuer.rfc4514_string(),
            "self_signed": certificate.subject == certificate.issuer,
            "not_before": certificate.not_valid_before_utc.isoformat(),
            "not_after": certificate.not_valid_after_utc.isoformat(),
            "key": algorithm, "chain": len(identity.chain)}
