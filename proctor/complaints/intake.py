"""What the public complaint intake accepts (pure): attachments sniffed from their bytes,
text parts that must be well-formed UTF-8, and the tracking code (查询码).

Attachments are images (JPEG, PNG, WebP) or PDF, recognised by their first bytes whatever
type the sender declares; a sender's file name and declared type are not kept. Limits are
counted per attachment and in number (:class:`AttachmentLimits`).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from proctor.errors import InvalidInput, ProctorError

TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out by phone
TRACKING_LENGTH = 20  # 20 × 5 bits = 100 bits from the CSPRNG

# media type by leading bytes; WebP also needs "WEBP" at offset 8
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)
ACCEPTED_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")


class AttachmentTooLarge(ProctorError):
    """An attachment, or their number, is over the limit (HTTP 413)."""


class UnsupportedAttachment(ProctorError):
    """An attachment is not an image or a PDF by its bytes (HTTP 415)."""


class UnreadableText(ProctorError):
    """A text part of the form is not well-formed UTF-8 (HTTP 422)."""


@dataclass(frozen=True)
class AttachmentLimits:
    """How many attachments a complaint may carry, and how large each may be."""

    max_count: int = 5
    max_bytes: int = 5 * 1024 * 1024

    @property
    def max_total(self) -> int:
        """The most attachment bytes one complaint can carry."""
        return self.max_count * self.max_bytes


def new_tracking_code() -> str:
    """A fresh, unguessable tracking code (100 bits from :mod:`secrets`)."""
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def is_tracking_code(text: str) -> bool:
    """Whether ``text`` has the form of a tracking code (looked up only then)."""
    return len(text) == TRACKING_LENGTH and all(c in TRACKING_ALPHABET for c in text)


def sniff(data: bytes) -> str | None:
    """The media type ``data`` is by its leading bytes, among :data:`ACCEPTED_TYPES`."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for magic, kind in _SIGNATURES if data.startswith(magic)), None)


def check_attachments(sizes_and_heads: Iterable[tuple[int, bytes]],
                      limits: AttachmentLimits) -> list[str]:
    """The sniffed media type of each attachment given as (size, leading bytes); raises
    :class:`AttachmentTooLarge` or :class:`UnsupportedAttachment` naming the attachment."""
    items = list(sizes_and_heads)
    if len(items) > limits.max_count:
        raise AttachmentTooLarge(f"{len(items)} attachments sent; at most {limits.max_count} "
                                 "are accepted: send fewer")
    kinds = []
    for number, (size, head) in enumerate(items, start=1):
        if size > limits.max_bytes:
            raise AttachmentTooLarge(f"attachment {number} is {size} bytes; the limit is "
                                     f"{limits.max_bytes} bytes each: send a smaller file")
        if size == 0:
            raise InvalidInput(f"attachment {number} is empty: attach the file itself")
        kind = sniff(head)
        if kind is None:
            raise UnsupportedAttachment(f"attachment {number} is not a JPEG, PNG or WebP "
                                        "image nor a PDF (judged by its content): attach "
                                        "photos or PDF documents only")
        kinds.append(kind)
    return kinds


def require_utf8_fields(body: bytes, boundary: bytes) -> None:
    """Raise :class:`UnreadableText` naming the part unless every text (non-file) part of
    the multipart ``body`` is well-formed UTF-8 (the form parser would silently read bad
    bytes as Latin-1 instead)."""
    for part in body.split(b"--" + boundary):
        headers, separator, content = part.partition(b"\r\n\r\n")
        if not separator or b"filename=" in headers:
            continue
        try:
            content.removesuffix(b"\r\n").decode("utf-8")
        except UnicodeDecodeError as error:
            name = headers.partition(b'name="')[2].partition(b'"')[0]
            field = name.decode("ascii", "replace") or "a form field"
            raise UnreadableText(f"'{field}' is not valid UTF-8 text (byte {error.start}): "
                                 "send the form as UTF-8") from error
