"""The signed 督导报告: the service's certificate is created once (owner-only, shared by
concurrent creators) or imported; the PAdES signature validates offline; any changed byte,
an appended update or the wrong certificate fails verification, with the reason."""

from __future__ import annotations

import stat
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.generic import NameObject, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from typer.testing import CliRunner

from proctor.cli.main import app
from proctor.supervision.report.identity import (
    IDENTITY_FILE,
    SigningIdentity,
    SigningIdentityError,
    service_identity,
)
from proctor.supervision.report.render import render_report
from proctor.supervision.report.signer_import import import_signer
from proctor.supervision.report.signing import PadesSigner, ReportSigner
from proctor.supervision.report.verify import verify_report
from proctor_dev.report_sample import sample_report


@pytest.fixture(scope="module")
def identity(tmp_path_factory: pytest.TempPathFactory) -> SigningIdentity:
    return service_identity(tmp_path_factory.mktemp("keys"), create=True)


@pytest.fixture(scope="module")
def signed(identity: SigningIdentity) -> bytes:
    signer: ReportSigner = PadesSigner(identity)
    pdf = render_report(sample_report(findings=2, cameras=2, hours=1))
    return signer.sign(pdf, reason="督导报告签署", location="厦门市")


def _fingerprint_in(directory: Path) -> str:
    return service_identity(directory, create=True).fingerprint


def test_the_certificate_is_created_once_private_and_shared(tmp_path: Path) -> None:
    with pytest.raises(SigningIdentityError, match="start the server once"):
        service_identity(tmp_path)
    with ProcessPoolExecutor(3) as pool:  # concurrent first starts
        fingerprints = set(pool.map(_fingerprint_in, [tmp_path] * 3))
    assert len(fingerprints) == 1
    assert stat.S_IMODE((tmp_path / IDENTITY_FILE).stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [IDENTITY_FILE]  # no temporary left
    assert service_identity(tmp_path).fingerprint in fingerprints  # a restart


def test_the_signature_validates_and_names_the_certificate(
        signed: bytes, identity: SigningIdentity) -> None:
    result = verify_report(signed, identity.fingerprint)
    assert result.ok, result.reasons
    assert result.fingerprint == identity.fingerprint and "督导报告签名" in (result.signer or "")


def _flip(data: bytes, position: int) -> bytes:
    changed = bytearray(data)
    changed[position] ^= 0x01
    return bytes(changed)


def test_one_flipped_byte_anywhere_fails(signed: bytes) -> None:
    contents = signed.rindex(b"/Contents <") + len(b"/Contents <")
    der_end = signed.index(b"00000000", contents)
    positions = {
        "header": 3, "page content": len(signed) // 3, "attachment": len(signed) // 2,
        "signature dictionary": contents - 20, "CMS version": contents + 51,
        "digest algorithms": contents + 60, "signature value": der_end - 10,
        "signature padding": der_end + 40, "xref": signed.rindex(b"xref") + 6,
        "trailer": signed.rindex(b"trailer") + 12, "startxref": len(signed) - 10,
    }
    for where, position in positions.items():
        result = verify_report(_flip(signed, position))
        assert not result.ok and result.reasons, where


def test_unsigned_cms_fields_cannot_change(signed: bytes) -> None:
    """The signer identifier is outside the signature and X.509 names compare without case:
    'proctor' → 'Proctor' there would still find the certificate."""
    start = signed.rindex(b"/Contents <") + len(b"/Contents <")
    der = bytes.fromhex(signed[start:signed.index(b">", start)].decode())
    sid = cms.ContentInfo.load(der)["content"]["signer_infos"][0]["sid"].dump()
    at = der.index(sid) + sid.index(b"proctor")
    changed = bytearray(signed)
    changed[start + 2 * at] ^= ord("7") ^ ord("5")  # hex 70 'p' → 50 'P'
    assert verify_report(bytes(changed)).reasons == [
        "the signer identifier is not the signing certificate's, byte for byte"]
    cert = cms.ContentInfo.load(der)["content"]["certificates"][0].dump()
    at = der.index(cert) + cert.index(b"proctor")
    changed = bytearray(signed)
    changed[start + 2 * at] ^= ord("7") ^ ord("5")  # the certificate's issuer name
    assert "Signing certificate attribute does not match" in \
        verify_report(bytes(changed)).reasons[0]


def test_an_update_after_signing_is_refused(signed: bytes) -> None:
    writer = IncrementalPdfFileWriter(BytesIO(signed))
    writer.root[NameObject("/Lang")] = pdf_string("en")  # any change is an update
    writer.update_root()  # type: ignore[no-untyped-call]
    out = BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    result = verify_report(out.getvalue())
    assert not result.ok
    assert any("does not cover the whole file" in r for r in result.reasons)
    assert not verify_report(signed + b"\n% appended\n").ok


def test_the_wrong_certificate_and_garbage_are_refused(signed: bytes) -> None:
    assert verify_report(signed, "00" * 32).reasons == [
        f"signed by certificate {verify_report(signed).fingerprint}, not by the expected "
        f"{'00' * 32}"]
    assert "not a readable signed PDF" in verify_report(b"%PDF-1.7\n garbage").reasons[0]
    unsigned = render_report(sample_report(findings=1, cameras=1, hours=1))
    assert verify_report(unsigned).reasons == ["0 signatures: a signed report carries "
                                               "exactly one"]


def test_an_operators_certificate_can_be_imported(tmp_path: Path,
                                                   identity: SigningIdentity) -> None:
    p12 = pkcs12.serialize_key_and_certificates(
        b"op", identity.key, identity.certificate, None,
        serialization.BestAvailableEncryption(b"secret"))
    with pytest.raises(SigningIdentityError, match="cannot be opened with this passphrase"):
        import_signer(tmp_path / "a", p12, b"wrong", "op.p12")
    imported = import_signer(tmp_path / "a", p12, b"secret", "op.p12").identity
    assert service_identity(tmp_path / "a").fingerprint == imported.fingerprint == \
        identity.fingerprint
    pem = import_signer(tmp_path / "b", identity.to_pem(), None, "op.pem").identity
    assert pem.fingerprint == identity.fingerprint
    with pytest.raises(SigningIdentityError, match="already in use"):
        import_signer(tmp_path / "b", identity.to_pem(), None, "op.pem")
    other = _ecdsa_identity()
    mismatched = identity.to_pem().split(b"-----BEGIN CERTIFICATE")[0] + \
        other.certificate.public_bytes(serialization.Encoding.PEM)
    with pytest.raises(SigningIdentityError, match="no certificate matches the private key"):
        import_signer(tmp_path / "d", mismatched, None, "op.pem")


def test_an_ecdsa_operator_certificate_signs_too(tmp_path: Path) -> None:
    imported = import_signer(tmp_path, _ecdsa_identity().to_pem(), None, "op.pem").identity
    pdf = render_report(sample_report(findings=1, cameras=1, hours=1))
    signed = PadesSigner(imported).sign(pdf, reason="督导报告签署", location="厦门市")
    assert verify_report(signed, imported.fingerprint).ok


def _ecdsa_identity() -> SigningIdentity:
    """An operator's own P-256 key and certificate (issued by their CA: here, itself)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "某鉴定中心")])
    now = datetime.now(UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - timedelta(days=1))
                   .not_valid_after(now + timedelta(days=365)).sign(key, hashes.SHA256()))
    return SigningIdentity(key, certificate)


def test_verify_report_cli_exit_codes(signed: bytes, identity: SigningIdentity,
                                      tmp_path: Path) -> None:
    genuine, altered = tmp_path / "genuine.pdf", tmp_path / "altered.pdf"
    genuine.write_bytes(signed)
    altered.write_bytes(_flip(signed, len(signed) // 2))
    runner = CliRunner()
    ok = runner.invoke(app, ["supervision", "verify-report", str(genuine),
                             "--cert-fingerprint", identity.fingerprint])
    assert ok.exit_code == 0 and identity.fingerprint in ok.output
    bad = runner.invoke(app, ["supervision", "verify-report", str(altered)])
    assert bad.exit_code == 1 and "NOT GENUINE: the signed bytes were changed" in bad.output
    wrong = runner.invoke(app, ["supervision", "verify-report", str(genuine),
                                "--cert-fingerprint", "ab" * 32])
    assert wrong.exit_code == 1 and "not by the expected" in wrong.output
    missing = runner.invoke(app, ["supervision", "verify-report", str(tmp_path / "no.pdf")])
    assert missing.exit_code == 2
