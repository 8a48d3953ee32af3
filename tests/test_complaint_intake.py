"""Intake checks (pure): attachments judged by their bytes and size, text parts that must
be UTF-8, tracking codes, and the complaint form's text rules."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from proctor.complaints.form import ComplaintForm
from proctor.complaints.intake import (
    TRACKING_LENGTH,
    AttachmentLimits,
    AttachmentTooLarge,
    UnreadableText,
    UnsupportedAttachment,
    check_attachments,
    is_tracking_code,
    new_tracking_code,
    require_utf8_fields,
    sniff,
)
from proctor.errors import InvalidInput

JPEG, PNG, PDF = b"\xff\xd8\xff\xe0" + b"\0" * 12, b"\x89PNG\r\n\x1a\n" + b"\0" * 8, b"%PDF-1.7\n"
WEBP = b"RIFF\x10\0\0\0WEBPVP8 "
LIMITS = AttachmentLimits(max_count=2, max_bytes=1000)


@pytest.mark.parametrize(("head", "kind"), [(JPEG, "image/jpeg"), (PNG, "image/png"),
                                            (PDF, "application/pdf"), (WEBP, "image/webp")])
def test_accepted_kinds_are_recognised_by_their_bytes(head: bytes, kind: str) -> None:
    assert sniff(head) == kind
    assert check_attachments([(10, head)], LIMITS) == [kind]


@pytest.mark.parametrize("head", [b"<html><script>", b"MZ\x90\0", b"GIF89a", b"RIFF\0\0\0\0AVI ",
                                  b"\xef\xbb\xbf%PDF", b"PK\x03\x04"])
def test_anything_else_is_unsupported(head: bytes) -> None:
    with pytest.raises(UnsupportedAttachment, match="attachment 1"):
        check_attachments([(10, head)], LIMITS)


def test_size_and_count_limits_name_the_attachment() -> None:
    with pytest.raises(AttachmentTooLarge, match="attachment 2 is 1001 bytes"):
        check_attachments([(5, PNG), (1001, PNG)], LIMITS)
    with pytest.raises(AttachmentTooLarge, match="3 attachments"):
        check_attachments([(5, PNG)] * 3, LIMITS)
    with pytest.raises(InvalidInput, match="empty"):
        check_attachments([(0, b"")], LIMITS)


def test_tracking_codes_are_long_random_and_recognisable() -> None:
    codes = {new_tracking_code() for _ in range(1000)}
    assert len(codes) == 1000
    assert all(len(c) == TRACKING_LENGTH and is_tracking_code(c) for c in codes)
    assert not is_tracking_code("0" * TRACKING_LENGTH) and not is_tracking_code("ABC")


def _multipart(value: bytes) -> tuple[bytes, bytes]:
    boundary = b"XyZ"
    body = (b"--XyZ\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n" + value +
            b"\r\n--XyZ\r\nContent-Disposition: form-data; name=\"attachments\"; "
            b"filename=\"a.png\"\r\n\r\n\xff\xfe\r\n--XyZ--\r\n")
    return body, boundary


def test_text_parts_must_be_utf8_files_need_not() -> None:
    require_utf8_fields(*_multipart("考场内有人代考".encode()))
    with pytest.raises(UnreadableText, match="'text' is not valid UTF-8"):
        require_utf8_fields(*_multipart(b"bad \xc3( text"))
    with pytest.raises(UnreadableText):
        require_utf8_fields(*_multipart(b"\xed\xa0\x80 surrogate"))


@pytest.mark.parametrize(("fields", "problem"), [
    ({"text": "有人代考，请核查"}, "organisation_id"),
    ({"organisation_id": 1, "text": "bidi \u202e override"}, "format character"),
    ({"organisation_id": 1, "text": "bell\x07"}, "control character"),
    ({"organisation_id": 1, "text": "x" * 4001}, "4000"),
    ({"organisation_id": 1, "text": "有人代考，请核查", "seat": "1" * 21}, "20"),
    ({"organisation_id": 1, "text": "有人代考，请核查",
      "incident_from": "2026-03-02T10:00:00+08:00", "incident_to": "2026-03-02T09:00:00+08:00"},
     "before"),
    ({"organisation_id": 1, "text": "有人代考，请核查", "role": "admin"}, "Extra inputs"),
])
def test_hostile_or_incomplete_forms_are_refused(fields: dict[str, object], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        ComplaintForm.model_validate(fields)


def test_blank_optional_fields_are_absent_and_anonymity_is_allowed() -> None:
    form = ComplaintForm.model_validate({"batch_id": "3", "text": " 考场内有人代考 ", "seat": "",
                                         "complainant_name": "  "})
    assert (form.batch_id, form.seat, form.complainant_name, form.text) == (
        3, None, None, "考场内有人代考")
