"""The offline report verifier without a server or the report renderer: a one-page PDF made
here is signed with the product's own :class:`PadesSigner`, then each way the file can be
damaged or misread must come back as a reason (never an exception), and only those reasons."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

import pytest
from asn1crypto import cms
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter
from pyhanko.sign import fields, signers

from proctor.supervision.report import verify
from proctor.supervision.report.identity import SigningIdentity, service_identity
from proctor.supervision.report.signing import PadesSigner
from proctor.supervision.report.verify import verify_report


def blank_pdf() -> bytes:
    """A valid one-page A4 PDF with nothing on the page."""
    # pyhanko's writer is unannotated: it cannot be typed from here
    writer = PdfFileWriter()  # type: ignore[no-untyped-call]
    page = PageObject(contents=[], media_box=[0, 0, 595, 842])  # type: ignore[no-untyped-call]
    writer.insert_page(page)  # type: ignore[no-untyped-call]
    out = BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()


@pytest.fixture(scope="module")
def identity(tmp_path_factory: pytest.TempPathFactory) -> SigningIdentity:
    return service_identity(tmp_path_factory.mktemp("keys"), create=True)


@pytest.fixture(scope="module")
def signed(identity: SigningIdentity) -> bytes:
    return PadesSigner(identity).sign(blank_pdf(), reason="督导报告签署", location="厦门市")


def contents_span(pdf: bytes) -> tuple[int, int]:
    """Where the hex digits of the signature container (/Contents) start and end."""
    start = pdf.rindex(b"/Contents <") + len(b"/Contents <")
    return start, pdf.index(b">", start)


def with_container(pdf: bytes, container: bytes) -> bytes:
    """``pdf`` with its /Contents replaced by ``container`` (zero-padded to the same size);
    the bytes the signature covers stay the same."""
    start, end = contents_span(pdf)
    hex_digits = container.hex().encode()
    assert len(hex_digits) <= end - start
    return pdf[:start] + hex_digits.ljust(end - start, b"0") + pdf[end:]


def container_of(pdf: bytes) -> bytes:
    start, end = contents_span(pdf)
    return bytes.fromhex(pdf[start:end].decode())


def der_length(container: bytes) -> int:
    """The length of the DER signature at the start of the zero-padded container."""
    return len(cms.ContentInfo.load(container.rstrip(b"\0")).dump())


def test_a_genuine_report_names_its_signer_and_signing_time(signed: bytes,
                                                            identity: SigningIdentity) -> None:
    result = verify_report(signed, identity.fingerprint)
    assert result.ok and result.reasons == []
    assert result.fingerprint == identity.fingerprint
    assert result.signer is not None and "督导报告签名" in result.signer
    assert result.signed_at is not None and result.timestamp is None  # no TSA configured


@pytest.mark.parametrize("spelling", [
    str.upper,
    lambda f: ":".join(f[i:i + 2] for i in range(0, len(f), 2)),  # as openssl prints it
    lambda f: f"  {f}\n",  # pasted with whitespace
])
def test_the_expected_fingerprint_may_be_written_as_people_copy_it(
        signed: bytes, identity: SigningIdentity, spelling: Callable[[str], str]) -> None:
    assert verify_report(signed, spelling(identity.fingerprint)).ok


def test_a_fingerprint_of_another_certificate_is_the_only_reason(signed: bytes,
                                                                 identity: SigningIdentity) -> None:
    other = identity.fingerprint[::-1]
    assert verify_report(signed, other).reasons == [
        f"signed by certificate {identity.fingerprint}, not by the expected {other}"]


def test_a_file_larger_than_any_report_is_refused_unread(
        monkeypatch: pytest.MonkeyPatch, signed: bytes) -> None:
    monkeypatch.setattr(verify, "MAX_REPORT_BYTES", len(signed) - 1)
    result = verify_report(signed)
    assert result.reasons == [f"{len(signed)} bytes: larger than any report "
                              f"({len(signed) - 1} bytes at most)"]
    assert result.fingerprint is None  # the file was not parsed
    monkeypatch.setattr(verify, "MAX_REPORT_BYTES", len(signed))
    assert verify_report(signed).ok  # the limit itself is allowed


@pytest.mark.parametrize("data", [b"", b"%PDF-1.7\n", b"not a pdf at all", b"%PDF-1.7\n" + bytes(
    range(256)) * 4, b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n"
    b"<< /Root 1 0 R >>\nstartxref\n9\n%%EOF\n"])
def test_unreadable_files_give_a_reason_and_never_raise(data: bytes) -> None:
    result = verify_report(data)
    assert not result.ok
    assert result.reasons[0].startswith("not a readable signed PDF: ")
    assert result.fingerprint is None


def test_an_unsigned_pdf_is_refused() -> None:
    assert verify_report(blank_pdf()).reasons == [
        "0 signatures: a signed report carries exactly one"]


def test_two_signatures_are_refused(identity: SigningIdentity) -> None:
    """A report carries exactly one signature: a second one (here by the same certificate,
    in a field of its own, on an uncertified file) is refused, although each is valid."""
    pad = PadesSigner(identity)
    pdf = blank_pdf()
    for name in ("first", "second"):
        writer = IncrementalPdfFileWriter(BytesIO(pdf))
        out = BytesIO()
        signers.sign_pdf(writer, signers.PdfSignatureMetadata(
            field_name=name, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES),
            signer=pad._signer, output=out)
        pdf = out.getvalue()
    assert verify_report(pdf).reasons == ["2 signatures: a signed report carries exactly one"]


def test_bytes_hidden_in_the_containers_padding_are_found(signed: bytes) -> None:
    """The padding is outside the signed byte range: only the container check sees it."""
    container = container_of(signed)
    used = der_length(container)
    hidden = container[:used] + b"\0" * 8 + b"hidden" + container[used + 14:]
    assert verify_report(with_container(signed, hidden)).reasons == [
        "the signature container holds bytes after the signature"]


def test_a_re_encoded_signature_is_found(signed: bytes) -> None:
    """The outer length written in a longer (BER, not DER) form: the same signature, the
    same signed bytes, another encoding, which a byte-for-byte check must notice."""
    container = container_of(signed)
    der = container[:der_length(container)]
    assert der[0] == 0x30 and der[1] == 0x82  # SEQUENCE, length in two bytes
    ber = b"\x30\x83\x00" + der[2:]
    assert verify_report(with_container(signed, ber)).reasons == [
        "the signature is not in canonical DER: its encoding was changed"]


def test_a_changed_signed_byte_is_reported_as_changed(signed: bytes) -> None:
    media_box = signed.index(b"/MediaBox")
    changed = signed[:media_box] + signed[media_box:].replace(b"595", b"596", 1)
    reasons = verify_report(changed).reasons
    assert reasons[0] == ("the signed bytes were changed: their digest does not match the "
                          "signature")

