"""Sign a rendered report with a PDF signature (PAdES baseline B-B, pyHanko).

The signature is a *certification* signature that permits no change (DocMDP P=1): PDF
readers then flag any later edit, matching the rule that a signed report is immutable and
an amendment is a new version. Signers are pluggable through :class:`ReportSigner`, so an
SM2 (国密) signer can replace :class:`PadesSigner` once a library provides SM2 in CMS.

With a timestamp authority (``PROCTOR_REPORT_TSA_URL``) the signature carries an RFC 3161
*signature timestamp* (PAdES B-T): the TSA's signed token over the signature value, proving
the report existed, signed, at that time. It sits inside the one signature rather than in a
separate document-timestamp signature, because the certification permits no change to the
file and a signed report carries exactly one signature. A TSA that does not answer stops the
signing (:class:`TimestampUnavailable`): a report is never signed without the timestamp
the operator asked for.
"""

from __future__ import annotations

from io import BytesIO
from typing import Protocol

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper, TimestampRequestError
from pyhanko_certvalidator.registry import SimpleCertificateStore

from proctor.errors import ProctorError
from proctor.supervision.report.identity import SigningIdentity

FIELD_NAME = "督导报告签名"
TSA_TIMEOUT_S = 10


class TimestampUnavailable(ProctorError):
    """The timestamp authority did not give a timestamp; nothing was signed."""


def timestamper(url: str) -> TimeStamper | None:
    """An RFC 3161 client for the TSA at ``url`` (HTTP POST); ``None`` for no URL."""
    return HTTPTimeStamper(url, timeout=TSA_TIMEOUT_S) if url else None


class ReportSigner(Protocol):
    """Anything that turns a rendered report into a signed one."""

    @property
    def fingerprint(self) -> str:
        """The SHA-256 (hex) of the certificate that verifiers should expect."""
        ...

    def sign(self, pdf: bytes, reason: str, location: str) -> bytes:
        """``pdf`` with a signature covering the whole file appended."""
        ...


def _asn1_certificate(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


class PadesSigner:
    """A :class:`ReportSigner` for an X.509 identity (RSA or ECDSA), SHA-256, with a
    signature timestamp from ``tsa`` when one is given."""

    def __init__(self, identity: SigningIdentity, tsa: TimeStamper | None = None) -> None:
        key = identity.key.private_bytes(serialization.Encoding.DER,
                                         serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption())
        self._signer = signers.SimpleSigner(
            signing_cert=_asn1_certificate(identity.certificate),
            signing_key=asn1_keys.PrivateKeyInfo.load(key),
            # pyhanko-certvalidator leaves from_certs unannotated: it cannot be typed from here
            cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
                [_asn1_certificate(c) for c in identity.chain]))
        self._fingerprint = identity.fingerprint
        self._tsa = tsa

    @property
    def fingerprint(self) -> str:
        """The SHA-256 (hex) of the signing certificate."""
        return self._fingerprint

    def sign(self, pdf: bytes, reason: str, location: str) -> bytes:
        """``pdf`` certified (no further change permitted) with a PAdES signature."""
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME, md_algorithm="sha256", reason=reason, location=location,
            subfilter=fields.SigSeedSubFilter.PADES, certify=True,
            docmdp_permissions=fields.MDPPerm.NO_CHANGES)
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=True)
        signed = BytesIO()
        try:
            signers.sign_pdf(writer, meta, signer=self._signer, timestamper=self._tsa,
                             output=signed)
        except TimestampRequestError as error:
            cause = error.__cause__ or error
            url = getattr(self._tsa, "url", "the timestamp authority")
            raise TimestampUnavailable(f"no timestamp from {url}: {cause}; the report was "
                                       "not signed (check PROCTOR_REPORT_TSA_URL)") from error
        return signed.getvalue()
