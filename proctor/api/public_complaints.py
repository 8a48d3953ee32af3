"""The public side of complaints, without logging in (every route marked PUBLIC): a batch's
publicity notice with the complaint channel, the complaint form (multipart, optional image
or PDF attachments), and a complaint's progress by its tracking code.

The form is refused before it is read when the client address is over its limit (429 with
Retry-After); then it is read up to the attachments' total limit (413 beyond), every text
part must be UTF-8 (422), attachments are judged by their bytes (415) and size (413), and
the text by the form's rules (422). Only then is anything stored.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Path, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from proctor.api.bodies import read_limited
from proctor.api.complaint_schemas import ComplaintReceipt, IntakeRulesBody, PublicStatusBody
from proctor.api.deps import SessionDep, SettingsDep, StoreDep
from proctor.api.public import PUBLIC
from proctor.api.schema_base import ErrorAnswer
from proctor.complaints import publicity, registration, views
from proctor.complaints.attachments import Upload
from proctor.complaints.form import ComplaintForm
from proctor.complaints.intake import (
    ACCEPTED_TYPES,
    AttachmentLimits,
    AttachmentTooLarge,
    UnreadableText,
    UnsupportedAttachment,
    check_attachments,
    require_utf8_fields,
)
from proctor.config import Settings
from proctor.db.base import utcnow
from proctor.errors import InvalidInput
from proctor.supervision.calendar_service import load_calendar

router = APIRouter(tags=["public"])
FIELDS_SLACK = 64 * 1024  # the text parts and multipart framing, beyond the attachments
ATTACHMENTS = "attachments"
URLENCODED = "application/x-www-form-urlencoded"
FORM_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["text"],
    "properties": {**{name: {"type": "string"} for name in ComplaintForm.model_fields},
                   ATTACHMENTS: {"type": "array",
                                 "items": {"type": "string", "format": "binary"}}}}}}}}


@router.get("/public/batches/{key}/publicity", openapi_extra=PUBLIC)
def batch_publicity(key: Annotated[str, Path(min_length=1, max_length=100)], db: SessionDep,
                    settings: SettingsDep) -> publicity.PublicityNotice:
    """The publicity notice (公示) of a batch by 备案号 or id, during its window only."""
    return publicity.publicity_notice(db, load_calendar(db), settings.deadline_rules(), key,
                                      channel(settings), utcnow())


def channel(settings: Settings) -> publicity.ComplaintChannel:
    """Where and how to complain, as configured."""
    return publicity.ComplaintChannel(
        online=publicity.ONLINE_PATH, phone=settings.complaint_phone,
        postal_address=settings.complaint_postal_address,
        note="投诉举报可在线提交（可匿名，凭查询码查询办理进度）、拨打电话或来信；"
             "对认定成绩有异议的，可向认定机构申请成绩复核。")


@router.get("/public/complaint-form", openapi_extra=PUBLIC)
def complaint_form_rules(settings: SettingsDep) -> IntakeRulesBody:
    """The limits of the complaint form (attachments' number, size and types; the rate
    per address), so a page can state them before anything is sent."""
    limits, days = settings.attachment_limits(), settings.complaint_deadlines()
    return IntakeRulesBody(
        max_attachments=limits.max_count, max_attachment_bytes=limits.max_bytes,
        accepted_types=list(ACCEPTED_TYPES), per_address=settings.complaint_intake_per_address,
        window_minutes=settings.complaint_intake_window_minutes,
        first_review_working_days=days.first_review_days,
        resolution_working_days=days.resolution_days)


def _address_target(request: Request, settings: SettingsDep) -> str:
    address = request.client.host if request.client is not None else "unknown"
    return registration.address_digest(settings.session_key, address)


AddressTarget = Annotated[str, Depends(_address_target)]


def _intake_allowed(target: AddressTarget, db: SessionDep, settings: SettingsDep) -> str:
    """The client's limit, checked before the form is read (429 with Retry-After)."""
    registration.check_intake_limit(db, target, _limit(settings), utcnow())
    return target


def _limit(settings: Settings) -> registration.IntakeLimit:
    return registration.IntakeLimit(settings.complaint_intake_per_address,
                                    settings.intake_window())


async def _chunks(body: bytes) -> AsyncGenerator[bytes, None]:
    yield body


def _urlencoded(body: bytes) -> dict[str, str]:
    """The fields of a URL-encoded form; its text must be UTF-8 (422 otherwise)."""
    try:
        return dict(parse_qsl(body.decode("ascii"), keep_blank_values=True,
                              encoding="utf-8", errors="strict", max_num_fields=50))
    except (UnicodeDecodeError, ValueError) as error:
        raise UnreadableText(f"the form is not valid URL-encoded UTF-8 text ({error}): "
                             "send the form as UTF-8") from error


async def _parse(request: Request, limits: AttachmentLimits) -> tuple[dict[str, str],
                                                                       list[bytes]]:
    """The text fields and attachment bytes of the multipart form."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(URLENCODED):  # a form without attachments
        return _urlencoded(await read_limited(request, FIELDS_SLACK, "the complaint")), []
    boundary = content_type.partition("boundary=")[2].split(";")[0].strip().strip('"')
    if not content_type.startswith("multipart/form-data") or not boundary:
        raise UnsupportedAttachment("send the complaint as multipart/form-data (or, without "
                                    f"attachments, {URLENCODED})")
    body = await read_limited(request, limits.max_total + FIELDS_SLACK,
                              "the complaint with its attachments")
    require_utf8_fields(body, boundary.encode("latin-1"))
    parser = MultiPartParser(request.headers, _chunks(body), max_files=limits.max_count,
                             max_fields=len(ComplaintForm.model_fields),
                             max_part_size=FIELDS_SLACK)
    try:
        form = await parser.parse()
    except MultiPartException as error:
        if "files" in error.message.lower():
            raise AttachmentTooLarge(f"at most {limits.max_count} attachments are accepted: "
                                     "send fewer") from error
        raise InvalidInput(f"the form could not be read: {error.message}") from error
    fields: dict[str, str] = {}
    files: list[bytes] = []
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            if name != ATTACHMENTS:
                raise InvalidInput(f"files go in '{ATTACHMENTS}', not '{name}'")
            files.append(await value.read())
        else:
            fields[name] = value
    return fields, files


async def complaint_form(request: Request, settings: SettingsDep,
                         target: Annotated[str, Depends(_intake_allowed)]
                         ) -> tuple[ComplaintForm, list[Upload], str]:
    """The checked complaint, its checked attachments and the client's limit target."""
    limits = settings.attachment_limits()
    fields, files = await _parse(request, limits)
    kinds = check_attachments(((len(data), data[:16]) for data in files), limits)
    try:
        form = ComplaintForm.model_validate(fields)
    except ValidationError as error:
        raise RequestValidationError(error.errors()) from error
    return form, [Upload(data, kind) for data, kind in zip(files, kinds, strict=True)], target


@router.post("/public/complaints", status_code=status.HTTP_201_CREATED, openapi_extra={
    **PUBLIC, **FORM_BODY}, responses={422: {  # the form is read by hand, not by FastAPI
        "model": ErrorAnswer, "description": "a field of the form is missing or invalid, or "
        "its text is not UTF-8; detail names it"}})
def submit_complaint(
        submitted: Annotated[tuple[ComplaintForm, list[Upload], str], Depends(complaint_form)],
        db: SessionDep, settings: SettingsDep, store: StoreDep) -> ComplaintReceipt:
    """Make a complaint (投诉举报), anonymously if you like; keep the tracking code."""
    form, uploads, target = submitted
    complaint = registration.register_online(
        db, store, load_calendar(db), settings.complaint_deadlines(), form, uploads, target,
        _limit(settings), utcnow(), settings.retention_years)
    return ComplaintReceipt(
        tracking_code=complaint.tracking_code, state=complaint.state,
        first_review_due=complaint.first_review_due,
        status_url=f"{publicity.ONLINE_PATH}/{complaint.tracking_code}")


@router.get("/public/complaints/{tracking_code}", openapi_extra=PUBLIC)
def complaint_status(tracking_code: Annotated[str, Path(max_length=40)],
                     db: SessionDep) -> PublicStatusBody:
    """A complaint's progress: state, dates and, once given, the result."""
    return PublicStatusBody.of(views.public_status(db, tracking_code))
