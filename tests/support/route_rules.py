"""Who may call each route of the app, and what a caller who may not is answered.

The authorisation matrix (``tests/test_authorisation_matrix.py``) checks every route of the
app against :data:`RULES`, for every caller (anonymous, an edge device, one user per
:class:`~proctor.db.models.Role`) and, where the route names an object, for an object in
the caller's scope and one outside it. A route missing from :data:`RULES` fails the
matrix, as does a rule for a route that no longer exists.

The world the expectations assume (``support.authz_world``): every user but the
administrator is granted site A; nobody is granted site B; the supervisor is drawn for
batch A (at site A) while its session runs; batch B is at site B.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from proctor.auth.scope import ROLE_PERMISSIONS, Permission
from proctor.db.models import Role

Where = Literal["in", "out", "-"]  # an object in scope, out of scope, or none named
ANONYMOUS, DEVICE = "anonymous", "device"
CALLERS: tuple[str, ...] = (ANONYMOUS, DEVICE, *(role.value for role in Role))
DRAWN = Role.SUPERVISOR  # the role of the user drawn for batch A
# path parameters naming an object at site A ("in") or site B ("out")
SCOPED = frozenset({"camera_id", "batch_id", "report_id", "event_id", "hold_id",
                    "session_id", "session_room_id", "site_id", "organisation_id",
                    "complaint_id"})
WEBSOCKET = "WS"  # the method of WebSocket routes in RULES


class Access(enum.Enum):
    """Who may call a route."""

    PUBLIC = "anyone, without logging in (marked openapi_extra=PUBLIC)"
    DEVICE = "an edge device's token; on a camera route, only for its own cameras"
    LOGGED_IN = "any logged-in user (what they see is filtered by their scope)"
    ROLE = "a user whose role has one of the permissions, whatever their scope"
    CAMERA = "a user whose role has one of the permissions, on a camera in their scope"
    COMPLAINT = "a user whose role has one of the permissions, on a complaint about an " \
        "organisation with a site in their scope"
    BATCH = "a user with the batch in their scope, and the batch use (BatchUse)"
    REGION = ("an administrator, or a user granted the region or one above it whose role "
              "views the archive (site grants give no region)")


class BatchUse(enum.Enum):
    """What a batch route needs beyond the batch being in the caller's scope."""

    READ = "nothing more"
    REVIEW = "a drawn supervisor of the batch (access open) or an administrator"
    REPORTS = "a reviewer, or a role that reads the audit log"


@dataclass(frozen=True)
class Rule:
    """The authorisation of one route, and how to call it."""

    access: Access
    permissions: frozenset[Permission] = frozenset()
    use: BatchUse = BatchUse.READ
    hidden: int = 403  # the answer to a caller without access (events: 404, "not yours")
    passes: frozenset[int] | None = None  # an authorised call's answers, if 404 is one
    defect: str | None = None  # a known defect: the refusals expected are strict xfails
    body: Mapping[str, object] | None = None  # a valid body: the check is in the handler
    query: Mapping[str, str | int] | None = None
    url: str | None = None  # what to request, when not the path (a mount)


def expected(rule: Rule, caller: str, where: Where) -> int | None:
    """The refusal ``caller`` gets calling the route on an object ``where``; ``None``:
    the call is authorised."""
    if rule.access is Access.PUBLIC:
        return None
    if rule.access is Access.DEVICE:
        if caller != DEVICE:
            return 401
        return 404 if where == "out" else None  # another device's camera: as unknown
    if caller in (ANONYMOUS, DEVICE):
        return 401
    role = Role(caller)
    permitted = bool(ROLE_PERMISSIONS[role] & rule.permissions)
    in_scope = where != "out" or role is Role.ADMIN
    if rule.access is Access.LOGGED_IN:
        return None
    if rule.access is Access.REGION:  # the world grants callers sites, never a region
        return None if role is Role.ADMIN else 403
    if rule.access is Access.ROLE:
        return None if permitted else 403
    if rule.access is Access.CAMERA:  # another site's camera is as unknown as a missing one
        if not in_scope:
            return 404
        return None if permitted else rule.hidden
    if rule.access is Access.COMPLAINT:
        return None if permitted and in_scope else rule.hidden
    if not in_scope:
        return 403
    reviewer = role is Role.ADMIN or role is DRAWN
    allowed = {BatchUse.READ: True, BatchUse.REVIEW: reviewer,
               BatchUse.REPORTS: reviewer or Permission.READ_AUDIT_LOG in ROLE_PERMISSIONS[role]}
    return None if allowed[rule.use] else 403


def role(*permissions: Permission) -> Rule:
    """A route for roles with any of ``permissions``, wherever the object is."""
    return Rule(Access.ROLE, frozenset(permissions))


def camera(*permissions: Permission, hidden: int = 403,
           passes: frozenset[int] | None = None,
           query: Mapping[str, str | int] | None = None) -> Rule:
    """A camera route for roles with any of ``permissions``, on cameras in scope."""
    return Rule(Access.CAMERA, frozenset(permissions), hidden=hidden, passes=passes,
                query=query)


def complaint(*permissions: Permission, body: Mapping[str, object] | None = None) -> Rule:
    """A complaint route for roles with any of ``permissions``, on complaints in scope."""
    return Rule(Access.COMPLAINT, frozenset(permissions), body=body)


def batch(use: BatchUse, body: Mapping[str, object] | None = None) -> Rule:
    """A batch route: the batch in scope, and ``use``."""
    return Rule(Access.BATCH, use=use, body=body)


MANAGE, AUDIT = role(Permission.MANAGE_DIRECTORY), role(Permission.READ_AUDIT_LOG)
PUBLIC, LOGGED_IN = Rule(Access.PUBLIC), Rule(Access.LOGGED_IN)
WATCH, ARCHIVE = Permission.WATCH_LIVE, Permission.VIEW_ARCHIVE
EVIDENCE, SCENE = Permission.EXPORT_EVIDENCE, Permission.MANAGE_DIRECTORY
GONE = frozenset({404})  # the camera passed; the live session named does not exist
WINDOW = {"from": 0, "to": 60_000}
REVIEW, REPORTS = BatchUse.REVIEW, BatchUse.REPORTS
READ_COMPLAINTS, HANDLE_COMPLAINTS = Permission.READ_COMPLAINTS, Permission.HANDLE_COMPLAINTS
AT, UNTIL = "2026-03-02T09:10:00+08:00", "2026-03-02T09:10:30+08:00"

RULES: dict[tuple[str, str], Rule] = {
    # the API docs (switched off in production): the page is a shell, the map needs a login
    ("GET", "/openapi.json"): LOGGED_IN,
    ("GET", "/docs/assets"): Rule(Access.PUBLIC, url="/docs/assets/swagger-ui.css"),
    # the console's pages and files
    **{("GET", path): PUBLIC for path in ("/docs", "/", "/login", "/live", "/account",
                                         "/archive", "/review", "/batches",
                                         "/admin/users", "/admin/scenes",
                                         "/admin", "/complaints", "/publicity",
                                         "/complain", "/track", "/oversight",
                                         "/healthz", "/api/public/draws", "/public/draws")},
    ("GET", "/static"): Rule(Access.PUBLIC, url="/static/style.css"),
    ("POST", "/api/auth/login"): PUBLIC,
    ("GET", "/metrics"): MANAGE,  # administrators only, or the metrics token (not set here)
    # the console user: their own account, and listings filtered by scope
    **{key: LOGGED_IN for key in (
        ("POST", "/api/auth/password"), ("POST", "/api/auth/logout"), ("GET", "/api/auth/me"),
        ("GET", "/api/cameras"), ("GET", "/api/ice-config"), ("GET", "/api/events"),
        ("GET", "/api/batches"), ("GET", "/api/evidence/signing-key"),
        ("GET", "/api/notifications"),
        (WEBSOCKET, "/api/live/alerts"))},
    # edge devices
    ("POST", "/whip/{camera_id}"): Rule(Access.DEVICE),
    ("DELETE", "/whip/{camera_id}/sessions/{session_id}"): Rule(Access.DEVICE, passes=GONE),
    ("PATCH", "/whip/{camera_id}/sessions/{session_id}"): Rule(Access.DEVICE),  # then 405
    # the working calendar: anyone logged in reads it, administrators enter a year
    ("GET", "/api/calendar/{year}"): LOGGED_IN,
    ("POST", "/api/calendar/{year}"): MANAGE,
    ("PUT", "/api/cameras/{camera_id}/segments/{start_ms}"): Rule(Access.DEVICE),
    ("GET", "/api/time"): Rule(Access.DEVICE),
    ("POST", "/api/devices/me/status"): Rule(Access.DEVICE),
    ("POST", "/api/cameras/{camera_id}/observations"): Rule(Access.DEVICE),
    # the directory, regions, organisations, the pool, batch planning: administrators
    **{(method, f"/api{path}"): MANAGE for method, path in (
        ("POST", "/sites"), ("GET", "/sites"), ("POST", "/rooms"), ("GET", "/rooms"),
        ("POST", "/devices"), ("GET", "/devices"), ("POST", "/devices/{device_id}/rotate-token"),
        ("POST", "/cameras"), ("GET", "/cameras/all"), ("POST", "/users"), ("GET", "/users"),
        ("PATCH", "/users/{user_id}"), ("POST", "/users/{user_id}/password"),
        ("POST", "/regions"), ("GET", "/regions"), ("GET", "/users/{user_id}/region-grants"),
        ("POST", "/users/{user_id}/region-grants"),
        ("DELETE", "/users/{user_id}/region-grants/{region_code}"),
        ("POST", "/organisations"), ("GET", "/organisations"),
        ("PATCH", "/organisations/{organisation_id}"), ("PUT", "/sites/{site_id}/organisation"),
        ("POST", "/supervisors"), ("GET", "/supervisors"),
        ("POST", "/supervisors/{supervisor_id}/deactivate"),
        ("POST", "/supervisors/{supervisor_id}/conflicts"),
        ("GET", "/supervisors/{supervisor_id}/conflicts"),
        ("POST", "/batches"), ("POST", "/batches/{batch_id}/sessions"),
        ("POST", "/sessions/{session_id}/rooms"),
        ("PUT", "/session-rooms/{session_room_id}/roster"),
        ("POST", "/batches/{batch_id}/transitions/{action}"),
        ("POST", "/batches/{batch_id}/draws"), ("POST", "/inspection-draws"))},
    # 三级 oversight: administrators, and users granted the region or one above it
    ("GET", "/api/oversight/regions"): LOGGED_IN,  # where the caller's oversight starts
    ("GET", "/api/oversight/regions/{region_code}"): Rule(Access.REGION),
    ("GET", "/api/oversight/regions/{region_code}/batches"): Rule(Access.REGION),
    # the record: administrators and auditors
    ("GET", "/api/audit"): AUDIT,
    ("GET", "/api/draws/{draw_id}"): AUDIT,
    ("GET", "/api/organisations/not-inspected"): Rule(Access.ROLE, AUDIT.permissions,
                                                      query={"year": 2026}),
    # a camera in scope, with the permission the route needs
    ("POST", "/whep/{camera_id}"): camera(WATCH),
    ("DELETE", "/whep/{camera_id}/sessions/{session_id}"): camera(WATCH, passes=GONE),
    ("GET", "/api/cameras/{camera_id}/scene"): camera(WATCH),
    ("GET", "/api/cameras/{camera_id}/scene/reference.jpg"): camera(WATCH),
    ("GET", "/api/cameras/{camera_id}/scene/occupancy"): camera(WATCH),
    ("PUT", "/api/cameras/{camera_id}/scene"): camera(SCENE),
    ("PUT", "/api/cameras/{camera_id}/scene/reference"): camera(SCENE),
    ("DELETE", "/api/cameras/{camera_id}/scene/reference"): camera(SCENE),
    ("GET", "/api/cameras/{camera_id}/coverage"): camera(ARCHIVE, query=WINDOW),
    ("GET", "/api/cameras/{camera_id}/clip.mp4"): camera(ARCHIVE, query=WINDOW),
    ("GET", "/api/cameras/{camera_id}/thumbnail.jpg"): camera(ARCHIVE, query={"at": 0}),
    ("POST", "/api/cameras/{camera_id}/evidence"): camera(EVIDENCE),
    ("POST", "/api/cameras/{camera_id}/legal-holds"): camera(EVIDENCE),
    ("GET", "/api/cameras/{camera_id}/legal-holds"): camera(EVIDENCE),
    ("DELETE", "/api/legal-holds/{hold_id}"): camera(EVIDENCE),
    ("GET", "/api/events/{event_id}"): camera(WATCH, ARCHIVE, hidden=404),
    ("GET", "/api/events/{event_id}/snapshot.jpg"): camera(WATCH, ARCHIVE, hidden=404),
    # a batch in scope: read by anyone, reviewed and reported by its drawn supervisors
    ("GET", "/api/batches/{batch_id}"): batch(BatchUse.READ),
    ("GET", "/api/batches/{batch_id}/deadlines"): batch(BatchUse.READ),
    ("GET", "/api/batches/{batch_id}/review"): batch(REVIEW),
    ("PUT", "/api/batches/{batch_id}/events/{event_id}/review"): batch(
        REVIEW, body={"decision": "confirmed", "note": "属实"}),
    ("POST", "/api/batches/{batch_id}/findings"): batch(REVIEW, body={
        "camera_ids": [1], "starts_at": AT, "ends_at": UNTIL, "category": "考场布置",
        "severity": "一般", "note": "座位间距不足"}),
    ("GET", "/api/batches/{batch_id}/findings"): batch(REVIEW),
    ("GET", "/api/batches/{batch_id}/coverage"): batch(REVIEW),
    ("POST", "/api/batches/{batch_id}/gaps/explanations"): batch(REVIEW, body={
        "camera_id": 1, "starts_at": AT, "ends_at": UNTIL, "explanation": "停电"}),
    ("POST", "/api/batches/{batch_id}/reports"): batch(REVIEW, body={
        "opinion": "无", "conclusion": "合格"}),
    ("PATCH", "/api/reports/{report_id}"): batch(REVIEW, body={}),
    ("POST", "/api/reports/{report_id}/sign"): batch(REVIEW),
    ("POST", "/api/reports/{report_id}/amend"): batch(REVIEW, body={"reason": "更正"}),
    ("POST", "/api/reports/{report_id}/acknowledge"): batch(REVIEW, body={"head_name": "张某"}),
    ("GET", "/api/reports/{report_id}"): batch(REPORTS),
    ("GET", "/api/reports/{report_id}/pdf"): batch(REPORTS),
    ("GET", "/api/batches/{batch_id}/reports"): batch(REPORTS),
    ("GET", "/report"): PUBLIC,  # the report page; its API calls are the rules above
    ("GET", "/api/batches/{batch_id}/gate"): batch(REPORTS),
    ("GET", "/api/batches/{batch_id}/events"): batch(REVIEW),
    ("PUT", "/api/session-rooms/{session_room_id}/attendance"): batch(REVIEW, body={
        "present": 1, "absent": 1}),
    # complaints: anyone complains and follows theirs by tracking code, without logging in;
    # operators, officers and auditors read those about their scope, officers handle them
    ("GET", "/public/batches/{key}/publicity"): Rule(Access.PUBLIC, passes=GONE),
    ("GET", "/public/complaint-form"): PUBLIC,
    ("POST", "/public/complaints"): Rule(Access.PUBLIC, passes=frozenset({415})),
    ("GET", "/public/complaints/{tracking_code}"): Rule(Access.PUBLIC, passes=GONE),
    ("GET", "/api/complaints"): role(READ_COMPLAINTS),
    ("POST", "/api/complaints"): Rule(Access.ROLE, frozenset({HANDLE_COMPLAINTS}), body={
        "channel": "phone", "organisation_id": 1, "text": "考场内有人使用手机"}),
    ("GET", "/api/complaints/{complaint_id}"): complaint(READ_COMPLAINTS),
    ("GET", "/api/complaints/{complaint_id}/attachments/{attachment_id}"): Rule(
        Access.COMPLAINT, frozenset({HANDLE_COMPLAINTS}), passes=GONE),  # none stored
    ("POST", "/api/complaints/{complaint_id}/review"): complaint(HANDLE_COMPLAINTS, body={
        "accepted": True, "note": "受理"}),
    ("POST", "/api/complaints/{complaint_id}/investigate"): complaint(HANDLE_COMPLAINTS,
                                                                      body={}),
    ("POST", "/api/complaints/{complaint_id}/clips"): complaint(HANDLE_COMPLAINTS, body={
        "camera_id": 1, "starts_at": AT, "ends_at": UNTIL}),
    ("POST", "/api/complaints/{complaint_id}/extensions"): complaint(HANDLE_COMPLAINTS, body={
        "working_days": 2, "reason": "需调取更多录像"}),
    ("POST", "/api/complaints/{complaint_id}/resolve"): complaint(HANDLE_COMPLAINTS, body={
        "result": "经查属实", "substantiated": True}),
    ("POST", "/api/complaints/{complaint_id}/close"): complaint(HANDLE_COMPLAINTS),
}
