"""``proctor supervision signer import|show``: an operator's PKCS#12 is checked (key matches
certificate, valid now, key usage allows signing), stored 0600 where the report signer reads
it, audited, and the one it replaces kept; clear errors for a wrong passphrase, an expired
certificate and a file that is not PKCS#12; the passphrase never printed or logged."""

from __future__ import annotations

import json
import logging
import stat
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import Result
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from sqlalchemy import select
from typer.testing import CliRunner

from proctor.cli.main import app
from proctor.db.models import AuditEntry
from proctor.db.session import create_db_engine, create_session_factory, session_scope
from proctor.supervision.report.identity import (
    IDENTITY_FILE,
    SigningIdentity,
    SigningIdentityError,
    service_identity,
)
from proctor.supervision.report.signer_import import check_signing_certificate

PASSPHRASE = "秘密 passphrase 42"
Run = Callable[..., Result]
NOW = datetime.now(UTC)


def _identity(days: tuple[int, int] = (-1, 365), usage: x509.KeyUsage | None = None,
              extended: list[x509.ObjectIdentifier] | None = None) -> SigningIdentity:
    """An operator's P-256 key and a certificate valid from/to ``days`` around now."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "某市职业技能鉴定中心")])
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(NOW + timedelta(days=days[0]))
               .not_valid_after(NOW + timedelta(days=days[1])))
    if usage is not None:
        builder = builder.add_extension(usage, critical=True)
    if extended is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(extended), critical=False)
    return SigningIdentity(key, builder.sign(key, hashes.SHA256()))


def _usage(signing: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=signing, content_commitment=False,
                         key_encipherment=not signing, data_encipherment=False,
                         key_agreement=False, key_cert_sign=False, crl_sign=False,
                         encipher_only=False, decipher_only=False)


def _p12(identity: SigningIdentity, path: Path, passphrase: str = PASSPHRASE) -> Path:
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"operator", identity.key, identity.certificate, None,
        serialization.BestAvailableEncryption(passphrase.encode())))
    return path


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("PROCTOR_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["supervision", "signer", *args])


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "passphrase.txt"
    path.write_text(PASSPHRASE + "\n", encoding="utf-8")
    return path


def test_an_operators_pkcs12_is_imported_shown_and_audited(
        run: Run, tmp_path: Path, secret: Path, caplog: pytest.LogCaptureFixture) -> None:
    identity = _identity(usage=_usage(True), extended=[ExtendedKeyUsageOID.EMAIL_PROTECTION])
    file = _p12(identity, tmp_path / "op.p12")
    with caplog.at_level(logging.DEBUG):
        imported = run("import", str(file), "--passphrase-file", str(secret), "--json")
    assert imported.exit_code == 0, imported.output
    shown = json.loads(imported.stdout)
    assert shown["fingerprint_sha256"] == identity.fingerprint
    assert shown["key"] == "ECDSA secp256r1" and "某市职业技能鉴定中心" in shown["subject"]
    stored = tmp_path / "data" / IDENTITY_FILE
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert service_identity(tmp_path / "data").fingerprint == identity.fingerprint
    assert PASSPHRASE not in imported.output + caplog.text
    listed = json.loads(run("show", "--json").stdout)
    assert listed == shown
    engine = create_db_engine(f"sqlite:///{tmp_path / 'data' / 'proctor.db'}")
    with session_scope(create_session_factory(engine)) as db:
        entry = db.scalars(select(AuditEntry).where(
            AuditEntry.action == "report.signer_import")).one()
        assert entry.target == f"signer:{identity.fingerprint}"
        assert PASSPHRASE not in json.dumps(entry.detail, ensure_ascii=False)
    engine.dispose()


def test_the_identity_in_use_is_retired_only_with_replace(run: Run, tmp_path: Path,
                                                          secret: Path) -> None:
    first = service_identity(tmp_path / "data", create=True)  # as the server's first start
    file = _p12(_identity(), tmp_path / "op.p12")
    refused = run("import", str(file), "--passphrase-file", str(secret))
    assert refused.exit_code == 2
    assert f"already holds certificate {first.fingerprint}: give --replace" in refused.output
    replaced = run("import", str(file), "--passphrase-file", str(secret), "--replace",
                   "--json")
    assert replaced.exit_code == 0, replaced.output
    retired = Path(json.loads(replaced.stdout)["retired"])
    assert retired.parent == tmp_path / "data" and first.fingerprint[:16] in retired.name
    assert retired.read_bytes() == first.to_pem()
    again = run("import", str(file), "--passphrase-file", str(secret), "--replace")
    assert again.exit_code == 2 and "already in use" in again.output


def test_a_wrong_or_missing_passphrase_is_named(run: Run, tmp_path: Path) -> None:
    file = _p12(_identity(), tmp_path / "op.p12")
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not it\n", encoding="utf-8")
    refused = run("import", str(file), "--passphrase-file", str(wrong))
    assert refused.exit_code == 2
    assert "cannot be opened with this passphrase" in refused.output
    assert "not it" not in refused.output
    missing = run("import", str(file))
    assert missing.exit_code == 2 and "--passphrase-file" in missing.output
    assert not (tmp_path / "data" / IDENTITY_FILE).exists()


def test_an_expired_certificate_is_refused(run: Run, tmp_path: Path, secret: Path) -> None:
    file = _p12(_identity(days=(-400, -35)), tmp_path / "old.p12")
    refused = run("import", str(file), "--passphrase-file", str(secret))
    assert refused.exit_code == 2 and "the certificate expired on" in refused.output
    assert not (tmp_path / "data" / IDENTITY_FILE).exists()


@pytest.mark.parametrize("content", [b"just some text\n", b"\x30\x03\x02\x01\x03",
                                     b"%PDF-1.7\n"])
def test_a_file_that_is_not_pkcs12_is_named(run: Run, tmp_path: Path, content: bytes) -> None:
    file = tmp_path / "notes.p12"
    file.write_bytes(content)
    refused = run("import", str(file))
    assert refused.exit_code == 2
    assert "is neither PKCS#12 (.p12, .pfx) nor PEM" in refused.output


def test_an_unreadable_file_and_no_identity_are_clean_errors(run: Run, tmp_path: Path) -> None:
    missing = run("import", str(tmp_path / "nowhere.p12"))
    assert missing.exit_code == 2 and "cannot read the certificate file" in missing.output
    shown = run("show")
    assert shown.exit_code == 2 and "no report signing certificate" in shown.output


def test_key_usage_must_allow_signing() -> None:
    check_signing_certificate(_identity(usage=_usage(True)).certificate, NOW)
    check_signing_certificate(_identity().certificate, NOW)  # no key usage: unrestricted
    with pytest.raises(SigningIdentityError, match="neither digitalSignature"):
        check_signing_certificate(_identity(usage=_usage(False)).certificate, NOW)
    with pytest.raises(SigningIdentityError, match="extended key usage"):
        check_signing_certificate(_identity(extended=[ExtendedKeyUsageOID.SERVER_AUTH])
                                  .certificate, NOW)
    with pytest.raises(SigningIdentityError, match="not valid before"):
        check_signing_certificate(_identity(days=(2, 30)).certificate, NOW)
