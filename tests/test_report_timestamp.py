"""RFC 3161 signature timestamps on signed reports, from a real TSA on 127.0.0.1: the
signature carries the token, verify-report shows its time and authority, a changed token
fails, a TSA that does not answer stops the signing, and no URL means no timestamp."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import cast

import pytest
from pydantic import ValidationError
from pyhanko.pdf_utils.reader import PdfFileReader
from support.tsa import TSA_NAME, LocalTsa, local_tsa
from typer.testing import CliRunner

from proctor.cli.main import app
from proctor.recording.store import ObjectStore
from proctor.supervision.report.identity import SigningIdentity, service_identity
from proctor.supervision.report.render import render_report
from proctor.supervision.report.signing import PadesSigner, TimestampUnavailable, timestamper
from proctor.supervision.report.verify import verify_report
from proctor.supervision.report_archive import ReportArchive
from proctor.supervision.settings import SupervisionSettings
from proctor_dev.report_sample import sample_report


@pytest.fixture(scope="module")
def identity(tmp_path_factory: pytest.TempPathFactory) -> SigningIdentity:
    return service_identity(tmp_path_factory.mktemp("keys"), create=True)


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_report(sample_report(findings=1, cameras=1, hours=1))


@pytest.fixture
def tsa() -> Iterator[LocalTsa]:
    with local_tsa() as running:
        yield running


def _sign(identity: SigningIdentity, pdf: bytes, url: str) -> bytes:
    return PadesSigner(identity, timestamper(url)).sign(pdf, reason="督导报告签署",
                                                         location="厦门市")


def test_a_signed_report_carries_the_tsas_timestamp(identity: SigningIdentity, pdf: bytes,
                                                    tsa: LocalTsa, tmp_path: Path) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    signed = _sign(identity, pdf, tsa.url)
    assert tsa.requests, "the TSA was never asked"
    result = verify_report(signed, identity.fingerprint)
    assert result.ok, result.reasons
    assert result.timestamp is not None
    assert before - timedelta(seconds=1) <= result.timestamp.at <= datetime.now(UTC)
    assert TSA_NAME in result.timestamp.authority
    assert result.timestamp.fingerprint == tsa.fingerprint
    file = tmp_path / "report.pdf"
    file.write_bytes(signed)
    shown = CliRunner().invoke(app, ["supervision", "verify-report", str(file),
                                     "--cert-fingerprint", identity.fingerprint])
    assert shown.exit_code == 0, shown.output
    assert f"timestamp: {result.timestamp.at.isoformat()} (RFC 3161) by" in shown.output
    assert f"timestamp authority certificate SHA-256: {tsa.fingerprint}" in shown.output


def test_a_changed_timestamp_token_fails(identity: SigningIdentity, pdf: bytes,
                                         tsa: LocalTsa) -> None:
    signed = _sign(identity, pdf, tsa.url)
    signature = PdfFileReader(BytesIO(signed)).embedded_signatures[0]
    token = signature.signer_info["unsigned_attrs"][0]["values"][0].dump()
    # the last bytes of the token are the TSA's signature value: change one of them
    hexed = token.hex().upper().encode()
    at = signed.find(hexed)
    assert at > 0, "the token is not in the file as written"
    position = at + len(hexed) - 6
    flipped = b"0" if signed[position:position + 1] != b"0" else b"1"
    altered = signed[:position] + flipped + signed[position + 1:]
    result = verify_report(altered, identity.fingerprint)
    assert not result.ok
    assert any("timestamp" in reason for reason in result.reasons), result.reasons


def test_no_answer_from_the_tsa_means_no_signature(identity: SigningIdentity, pdf: bytes,
                                                   tsa: LocalTsa) -> None:
    tsa.refuse = True
    with pytest.raises(TimestampUnavailable, match=f"no timestamp from {tsa.url}"):
        _sign(identity, pdf, tsa.url)


def test_without_a_url_there_is_no_timestamp(identity: SigningIdentity, pdf: bytes,
                                             tmp_path: Path) -> None:
    assert timestamper("") is None
    signed = _sign(identity, pdf, "")
    result = verify_report(signed, identity.fingerprint)
    assert result.ok and result.timestamp is None
    file = tmp_path / "report.pdf"
    file.write_bytes(signed)
    shown = CliRunner().invoke(app, ["supervision", "verify-report", str(file)])
    assert "timestamp: none" in shown.output


def test_the_archive_signs_with_the_configured_tsa(pdf: bytes, tsa: LocalTsa,
                                                   tmp_path: Path) -> None:
    archive = ReportArchive.build(cast(ObjectStore, None), tmp_path, 5, tsa.url)
    signed = archive.signer.sign(pdf, reason="督导报告签署", location="厦门市")
    result = verify_report(signed, archive.signer.fingerprint)
    assert result.ok and result.timestamp is not None


def test_the_setting_takes_an_http_url_or_nothing() -> None:
    assert SupervisionSettings().report_tsa_url == ""
    assert SupervisionSettings(report_tsa_url="https://tsa.example/tsr").report_tsa_url
    with pytest.raises(ValidationError):
        SupervisionSettings(report_tsa_url="ftp://tsa.example")
