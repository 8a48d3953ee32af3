"""The report-signing identity and an operator's own certificate, without a report or a
server: which files are read (PEM, PKCS#12) and which are refused with the reason, which
certificates may sign (validity, key usage, extended key usage), and how an import keeps
the identity it replaces. Keys are P-256 (fast to make) unless the test is about RSA."""

from __future__ import annotations

import stat
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from proctor.supervision.report.identity import (
    IDENTITY_FILE,
    SigningIdentity,
    SigningIdentityError,
    read_identity,
    service_identity,
)
from proctor.supervision.report.signer_import import (
    check_signing_certificate,
    describe,
    import_signer,
)

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
Extend = Callable[[x509.CertificateBuilder], x509.CertificateBuilder]


def usage(signing: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=signing, content_commitment=False,
                         key_encipherment=not signing, data_encipherment=False,
                         key_agreement=False, key_cert_sign=False, crl_sign=False,
                         encipher_only=False, decipher_only=False)


def identity(name: str = "某鉴定中心", days: tuple[int, int] = (-1, 365),
             extend: Extend = lambda builder: builder,
             issuer: SigningIdentity | None = None) -> SigningIdentity:
    """A P-256 key and a certificate valid from ``NOW + days[0]`` to ``NOW + days[1]``,
    self-signed or issued by ``issuer``."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    builder = extend(x509.CertificateBuilder().subject_name(subject)
                     .issuer_name(issuer.certificate.subject if issuer else subject)
                     .public_key(key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(NOW + timedelta(days=days[0]))
                     .not_valid_after(NOW + timedelta(days=days[1])))
    return SigningIdentity(key, builder.sign(issuer.key if issuer else key, hashes.SHA256()))


def pem(*certificates: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


def p12(signer: SigningIdentity | None, certificate: x509.Certificate,
        passphrase: bytes | None) -> bytes:
    encryption = (serialization.BestAvailableEncryption(passphrase) if passphrase
                  else serialization.NoEncryption())
    return pkcs12.serialize_key_and_certificates(
        b"op", signer.key if signer else None, certificate if signer else None,
        None if signer else [certificate], encryption)


@pytest.mark.parametrize(("days", "extend", "message"), [
    ((-400, -1), None, "the certificate expired on 2026-11-30 08:00 UTC: import a current one"),
    ((2, 365), None, "the certificate is not valid before 2026-12-03 08:00 UTC"),
    ((-1, 365), lambda b: b.add_extension(usage(False), critical=True),
     "key usage allows neither digitalSignature nor nonRepudiation"),
    ((-1, 365), lambda b: b.add_extension(x509.ExtendedKeyUsage(
        [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False),
     r"extended key usage \(1.3.6.1.5.5.7.3.1, 1.3.6.1.5.5.7.3.2\) does not include"),
])
def test_a_certificate_that_cannot_sign_now_is_refused_with_the_reason(
        days: tuple[int, int], extend: Extend | None, message: str) -> None:
    certificate = identity(days=days, extend=extend or (lambda b: b)).certificate
    with pytest.raises(SigningIdentityError, match=message):
        check_signing_certificate(certificate, NOW)


@pytest.mark.parametrize("extend", [
    lambda b: b,  # no usage named: any
    lambda b: b.add_extension(usage(True), critical=True),
    lambda b: b.add_extension(x509.ExtendedKeyUsage(
        [ExtendedKeyUsageOID.SERVER_AUTH, ObjectIdentifier("1.3.6.1.5.5.7.3.36")]), False),
    lambda b: b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                              False),
])
def test_a_current_certificate_for_document_signing_is_accepted(extend: Extend) -> None:
    certificate = identity(extend=extend).certificate
    check_signing_certificate(certificate, NOW)
    check_signing_certificate(certificate, certificate.not_valid_after_utc)  # its last moment


def test_pem_and_pkcs12_give_the_same_identity_with_its_chain() -> None:
    ca = identity("某CA")
    leaf = identity(issuer=ca)
    key_pem = leaf.to_pem().split(b"-----BEGIN CERTIFICATE")[0]
    from_pem = read_identity(key_pem + pem(ca.certificate, leaf.certificate), None, "op.pem")
    assert from_pem.certificate == leaf.certificate  # the one matching the key, not the first
    assert from_pem.chain == (ca.certificate,)
    bundle = pkcs12.serialize_key_and_certificates(
        b"op", leaf.key, leaf.certificate, [ca.certificate],
        serialization.BestAvailableEncryption(b"secret"))
    from_p12 = read_identity(bundle, b"secret", "op.p12")
    assert (from_p12.fingerprint, from_p12.chain) == (leaf.fingerprint, (ca.certificate,))


@pytest.fixture(scope="module")
def operator() -> SigningIdentity:
    return identity()


@pytest.mark.parametrize(("data", "passphrase", "message"), [
    (lambda op: b"-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n",
     None, "op cannot be read"),
    (lambda op: b"\x30\x03\x02\x01\x03", None, "op is neither PKCS#12 .* nor PEM"),
    (lambda op: b"plain text", None, "op is neither PKCS#12"),
    (lambda op: p12(op, op.certificate, b"secret"), None,
     r"op is protected by a passphrase: give it \(--passphrase-file\)"),
    (lambda op: p12(op, op.certificate, b"secret"), b"wrong",
     "op cannot be opened with this passphrase: check it"),
    (lambda op: p12(None, op.certificate, None), None,
     "op holds no private key: export the key with its certificate"),
    (lambda op: op.to_pem().split(b"-----BEGIN CERTIFICATE")[0] + pem(identity().certificate),
     None, "op: no certificate matches the private key"),
    (lambda op: ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()) + pem(op.certificate), None,
     "op: the key must be RSA or ECDSA"),
])
def test_unusable_files_are_refused_saying_why(
        operator: SigningIdentity, data: Callable[[SigningIdentity], bytes],
        passphrase: bytes | None, message: str) -> None:
    with pytest.raises(SigningIdentityError, match=message):
        read_identity(data(operator), passphrase, "op")


def test_an_import_keeps_the_identity_it_replaces(tmp_path: Path,
                                                  operator: SigningIdentity) -> None:
    first = import_signer(tmp_path, operator.to_pem(), None, "op.pem", now=NOW)
    assert (first.retired, first.retired_fingerprint) == (None, None)
    assert stat.S_IMODE(first.path.stat().st_mode) == 0o600
    successor = identity("新证书")
    with pytest.raises(SigningIdentityError, match=f"already holds certificate "
                                                   f"{operator.fingerprint}: give --replace"):
        import_signer(tmp_path, successor.to_pem(), None, "new.pem", now=NOW)
    second = import_signer(tmp_path, successor.to_pem(), None, "new.pem", replace=True, now=NOW)
    assert second.retired == tmp_path / (f"report-signing.retired-20261201T080000Z-"
                                         f"{operator.fingerprint[:16]}.pem")
    assert second.retired_fingerprint == operator.fingerprint
    assert read_identity(second.retired.read_bytes(), None, "old").fingerprint == \
        operator.fingerprint
    assert stat.S_IMODE(second.retired.stat().st_mode) == 0o600
    assert service_identity(tmp_path).fingerprint == successor.fingerprint


def test_a_refused_certificate_stores_nothing(tmp_path: Path) -> None:
    expired = identity(days=(-400, -1))
    with pytest.raises(SigningIdentityError, match="expired"):
        import_signer(tmp_path, expired.to_pem(), None, "op.pem", now=NOW)
    assert list(tmp_path.iterdir()) == []


def test_without_an_identity_the_server_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(SigningIdentityError, match="start the server once .* restore it"):
        service_identity(tmp_path)
    assert not (tmp_path / IDENTITY_FILE).exists()


def test_the_self_signed_identity_can_sign_and_is_described_without_its_key(
        tmp_path: Path, operator: SigningIdentity) -> None:
    created = service_identity(tmp_path, create=True)
    check_signing_certificate(created.certificate, datetime.now(UTC))
    assert created.certificate.not_valid_after_utc > datetime.now(UTC) + timedelta(
        days=365 * 29)
    shown = describe(created, tmp_path / IDENTITY_FILE)
    assert (shown["key"], shown["self_signed"], shown["chain"]) == ("RSA-3072", True, 0)
    assert shown["fingerprint_sha256"] == created.fingerprint
    assert "PRIVATE" not in repr(shown)
    ca = identity("某CA")
    leaf = identity(issuer=ca)
    issued = describe(SigningIdentity(leaf.key, leaf.certificate, (ca.certificate,)), tmp_path)
    assert (issued["key"], issued["self_signed"], issued["chain"]) == ("ECDSA secp256r1",
                                                                       False, 1)
    assert issued["issuer"] == "CN=某CA"
    assert describe(operator, tmp_path)["subject"] == "CN=某鉴定中心"
