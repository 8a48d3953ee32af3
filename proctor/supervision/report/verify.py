"""Verify a signed report offline: no network, no server, no store.

A report is genuine when it carries exactly one signature, that signature is
cryptographically valid over the bytes it names, those bytes are the *whole* file (so no
incremental update or trailing bytes were added after signing, and nothing changed since
certification), the unsigned signature container holds nothing but the signature in
canonical DER and its zero padding, the CMS fields that no signature covers hold the only
values a signer may write there (so not even those can be altered), and, when an expected
certificate fingerprint is given, the signing certificate has it. A signature timestamp
(RFC 3161, when the service has a TSA) is reported with its time and authority, and must be
intact and valid over the signature; whether to trust that authority is the reader's call
(its certificate's fingerprint is shown). Every failed check is returned as a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO

from asn1crypto import cms, parser
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

MAX_REPORT_BYTES = 256 << 20
# a damaged PDF can make the parser raise almost anything, even its own failed asserts (an
# xref offset that points at an object which is not an xref stream): all of it means "not intact"
_UNREADABLE = (PdfError, ValueError, LookupError, TypeError, AttributeError, ArithmeticError,
               EOFError, RecursionError, NotImplementedError, AssertionError)


@dataclass(frozen=True)
class Timestamp:
    """A signature timestamp: when the TSA saw the signature, and who the TSA is."""

    at: datetime
    authority: str
    fingerprint: str  # SHA-256 of the TSA's certificate


@dataclass(frozen=True)
class ReportVerification:
    """The outcome: ``reasons`` lists every failed check (empty for a genuine report)."""

    reasons: list[str] = field(default_factory=list)
    fingerprint: str | None = None  # SHA-256 of the signing certificate
    signer: str | None = None
    signed_at: datetime | None = None
    timestamp: Timestamp | None = None  # the RFC 3161 signature timestamp, if any

    @property
    def ok(self) -> bool:
        """Whether the report is genuine."""
        return not self.reasons


def verify_report(pdf: bytes, expected_fingerprint: str | None = None) -> ReportVerification:
    """Check ``pdf`` (see the module docstring); never raises for a bad file."""
    if len(pdf) > MAX_REPORT_BYTES:
        return ReportVerification([f"{len(pdf)} bytes: larger than any report "
                                   f"({MAX_REPORT_BYTES} bytes at most)"])
    try:
        signatures = PdfFileReader(BytesIO(pdf), strict=True).embedded_signatures
        if len(signatures) != 1:
            return ReportVerification([f"{len(signatures)} signatures: a signed report "
                                       "carries exactly one"])
        return _check(signatures[0], expected_fingerprint)
    except _UNREADABLE as error:
        return ReportVerification([f"not a readable signed PDF: {error}"])


def _check(signature: EmbeddedPdfSignature, expected: str | None) -> ReportVerification:
    certificate = signature.signer_cert
    fingerprint = certificate.sha256.hex()
    context = ValidationContext(trust_roots=[certificate], allow_fetching=False)
    try:
        status = validate_pdf_signature(signature, context)
    except SignatureValidationError as error:  # e.g. the certificate is not the one signed
        return ReportVerification([f"the signature does not validate: {error}"], fingerprint)
    reasons = (_status_reasons(status) + _container_reasons(signature)
               + _structure_reasons(signature))
    if expected is not None and fingerprint != expected.strip().lower().replace(":", ""):
        reasons.append(f"signed by certificate {fingerprint}, not by the expected {expected}")
    stamp = status.timestamp_validity
    timestamp = None
    if stamp is not None:
        if not (stamp.intact and stamp.valid):
            reasons.append("the signature timestamp does not validate: the token or the "
                           "signature it stamps was changed")
        timestamp = Timestamp(stamp.timestamp, stamp.signing_cert.subject.human_friendly,
                              stamp.signing_cert.sha256.hex())
    return ReportVerification(reasons, fingerprint, certificate.subject.human_friendly,
                              status.signer_reported_dt, timestamp)


def _status_reasons(status: PdfSignatureStatus) -> list[str]:
    reasons = []
    if not status.intact:
        reasons.append("the signed bytes were changed: their digest does not match the "
                       "signature")
    if not status.valid:
        reasons.append("the signature value is not valid for the signed data")
    if status.coverage is not SignatureCoverageLevel.ENTIRE_FILE:
        reasons.append("the signature does not cover the whole file: something was added "
                       "or changed after signing")
    if status.docmdp_ok is False:
        reasons.append("the file was modified after certification, which permits no change")
    return reasons


def _container_reasons(signature: EmbeddedPdfSignature) -> list[str]:
    """The /Contents string is the one unsigned part of the file: it must hold the DER
    signature, encoded exactly as DER requires, followed by zero bytes only."""
    contents = bytes(signature.sig_object.raw_get("/Contents"))
    _, _, _, header, body, _ = parser.parse(contents, strict=False)
    der = contents[:len(header) + len(body)]
    reasons = []
    if any(contents[len(der):]):
        reasons.append("the signature container holds bytes after the signature")
    if cms.ContentInfo.load(der).dump(force=True) != der:
        reasons.append("the signature is not in canonical DER: its encoding was changed")
    return reasons


def _structure_reasons(signature: EmbeddedPdfSignature) -> list[str]:
    """CMS leaves some fields outside the signature (the versions, the signer identifier,
    the list of digest algorithms, the digest algorithm's parameters); each must hold the
    one value that RFC 5652 and the signer's own fields imply, or a changed byte there
    would go unnoticed."""
    signed_data, signer_info = signature.signed_data, signature.signer_info
    expected = "v1" if signer_info["sid"].name == "issuer_and_serial_number" else "v3"
    digest = signer_info["digest_algorithm"]
    listed = [algorithm.dump() for algorithm in signed_data["digest_algorithms"]]
    sid = signer_info["sid"].chosen
    reasons = []
    if expected == "v1" and (sid["issuer"].dump() != signature.signer_cert.issuer.dump()
                             or sid["serial_number"].native
                             != signature.signer_cert.serial_number):
        reasons.append("the signer identifier is not the signing certificate's, byte for byte")
    if signer_info["version"].native != expected or signed_data["version"].native != expected:
        reasons.append("the signature's CMS version fields were changed")
    if listed != [digest.dump()] or digest["parameters"].native is not None:
        reasons.append("the signature's digest algorithm fields were changed")
    return reasons
