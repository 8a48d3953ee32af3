"""The Scope value object, pure: roles, sites (direct or through a region), and the
time-limited camera grants of a drawn supervisor, at the edges of their windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from proctor.auth.grants import CameraGrant, Window, epoch_ms, merge_windows
from proctor.auth.scope import CameraPlace, Permission, Scope
from proctor.db.models import Role, User
from proctor.errors import Forbidden

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 Beijing, a session starts
HOUR = timedelta(hours=1)
GRANTED, OTHER = CameraPlace(camera_id=7, site_id=2), CameraPlace(camera_id=8, site_id=2)
SITE_CAMERA = CameraPlace(camera_id=9, site_id=1)
LIVE, ARCHIVE, EXPORT = Permission.WATCH_LIVE, Permission.VIEW_ARCHIVE, Permission.EXPORT_EVIDENCE


def user(role: Role = Role.SUPERVISOR, active: bool = True) -> User:
    return User(id=5, username="sup", role=role, is_active=active, password_hash="",
                display_name="sup")


def grant(*windows: Window, until: datetime = T0 + 30 * 24 * HOUR,
          camera_id: int = 7) -> CameraGrant:
    return CameraGrant(camera_id, windows, until, "batch 1")


def scope(role: Role = Role.SUPERVISOR, active: bool = True, sites: frozenset[int] = frozenset(),
          grants: tuple[CameraGrant, ...] = ()) -> Scope:
    return Scope.for_user(user(role, active), T0, sites, grants)


SESSION = Window(T0, T0 + 2 * HOUR)
DRAWN = scope(grants=(grant(SESSION),))


def test_sites_granted_directly_or_through_a_region_give_the_whole_camera() -> None:
    supervisor = scope(sites=frozenset({1}))
    assert supervisor.allows(LIVE, SITE_CAMERA) and supervisor.allows(ARCHIVE, SITE_CAMERA)
    assert not supervisor.allows(LIVE, GRANTED)
    assert supervisor.footage_windows(SITE_CAMERA) is None  # all of its footage
    assert supervisor.live_until(SITE_CAMERA) is None  # not time-limited
    supervisor.require_footage(SITE_CAMERA, 0, 2**53)


def test_the_role_decides_what_even_on_granted_sites() -> None:
    operator = scope(Role.ORG_OPERATOR, sites=frozenset({1}))
    assert operator.allows(LIVE, SITE_CAMERA) and not operator.allows(ARCHIVE, SITE_CAMERA)
    assert not scope(sites=frozenset({1})).allows(EXPORT, SITE_CAMERA)


def test_admins_are_everywhere_and_a_disabled_user_nowhere() -> None:
    assert scope(Role.ADMIN).allows(EXPORT, GRANTED)
    disabled = scope(active=False, sites=frozenset({1, 2}), grants=(grant(SESSION),))
    assert disabled.permissions == frozenset() and disabled.camera_grants == ()
    assert not disabled.allows_any(frozenset(Permission), GRANTED, at=T0 + HOUR)
    assert not scope(Role.ADMIN, active=False).everywhere


@pytest.mark.parametrize(("at", "live"), [
    (T0 - timedelta(seconds=1), False), (T0, True), (T0 + HOUR, True),
    (T0 + 2 * HOUR - timedelta(microseconds=1), True), (T0 + 2 * HOUR, False)])
def test_live_only_while_a_window_is_open(at: datetime, live: bool) -> None:
    assert DRAWN.allows(LIVE, GRANTED, at=at) is live
    assert not DRAWN.allows(LIVE, OTHER, at=at)  # exactly the batch's cameras


def test_live_until_the_end_of_the_open_window() -> None:
    assert DRAWN.live_until(GRANTED, at=T0 + HOUR) == T0 + 2 * HOUR
    assert DRAWN.live_until(GRANTED, at=T0 + 3 * HOUR) is None  # not allowed at all


def test_archive_from_the_first_window_until_access_ends() -> None:
    until = T0 + 10 * 24 * HOUR
    drawn = scope(grants=(grant(SESSION, until=until),))
    assert not drawn.allows(ARCHIVE, GRANTED, at=T0 - timedelta(seconds=1))
    assert drawn.allows(ARCHIVE, GRANTED, at=until)
    assert not drawn.allows(ARCHIVE, GRANTED, at=until + timedelta(seconds=1))
    assert drawn.footage_windows(GRANTED, at=until + timedelta(seconds=1)) == ()
    assert not drawn.allows(EXPORT, GRANTED, at=T0 + HOUR)  # nothing else


def test_a_grant_never_adds_a_permission_the_role_lacks() -> None:
    operator = scope(Role.ORG_OPERATOR, grants=(grant(SESSION),))
    assert operator.allows(LIVE, GRANTED, at=T0) and not operator.allows(ARCHIVE, GRANTED)
    assert operator.footage_windows(GRANTED) == ()


def test_footage_must_lie_within_a_granted_window() -> None:
    start, end = epoch_ms(SESSION.start), epoch_ms(SESSION.end)
    DRAWN.require_footage(GRANTED, start, end)
    DRAWN.require_footage(GRANTED, start + 1000, start + 1000)  # a thumbnail
    with pytest.raises(Forbidden) as refused:
        DRAWN.require_footage(GRANTED, start - 1, end)
    assert str(refused.value) == ("user 'sup' may view recordings of camera 7 only within "
                                  "the granted windows (UTC): "
                                  "2026-03-02T01:00:00Z/2026-03-02T03:00:00Z")
    with pytest.raises(Forbidden, match="windows"):
        DRAWN.require_footage(GRANTED, end, end + 1)
    with pytest.raises(Forbidden, match=r"\(UTC\): none"):
        DRAWN.require_footage(OTHER, start, end)


def test_two_grants_of_one_camera_combine_and_touching_windows_merge() -> None:
    morning, afternoon = Window(T0, T0 + HOUR), Window(T0 + HOUR, T0 + 2 * HOUR)
    drawn = scope(grants=(grant(morning), grant(afternoon, until=T0 + 3 * HOUR)))
    assert drawn.footage_windows(GRANTED) == (morning,)  # the afternoon has not begun
    noon = T0 + HOUR
    assert drawn.footage_windows(GRANTED, at=noon) == (SESSION,)
    drawn.require_footage(GRANTED, epoch_ms(T0), epoch_ms(T0 + 2 * HOUR), at=noon)
    # once the second batch's access ends, only the first one's window is left
    assert drawn.footage_windows(GRANTED, at=T0 + 4 * HOUR) == (morning,)
    # live: the guard checks again when the open window ends, and the next one goes on
    assert drawn.live_until(GRANTED, at=T0 + HOUR / 2) == T0 + HOUR
    assert drawn.live_until(GRANTED, at=T0 + HOUR) == T0 + 2 * HOUR


def test_windows_widen_sort_merge_and_refuse_nonsense() -> None:
    late, early = Window(T0 + 3 * HOUR, T0 + 4 * HOUR), Window(T0, T0 + HOUR)
    assert merge_windows([late, early]) == (early, late)
    margin = timedelta(minutes=30)
    assert merge_windows([early.widened(margin), Window(T0 + HOUR + margin, T0 + 2 * HOUR)]) \
        == (Window(T0 - margin, T0 + 2 * HOUR),)
    with pytest.raises(ValueError, match="end after"):
        Window(T0, T0)
    with pytest.raises(ValueError, match="timezone"):
        Window(T0.replace(tzinfo=None), T0.replace(tzinfo=None) + HOUR)
    with pytest.raises(ValueError, match="at least one window"):
        CameraGrant(7, (), T0, "batch 1")


def test_without_a_time_the_scope_answers_for_when_it_was_loaded() -> None:
    loaded_late = Scope.for_user(user(), T0 + 3 * HOUR, camera_grants=(grant(SESSION),))
    assert not loaded_late.allows(LIVE, GRANTED)
    assert loaded_late.allows(LIVE, GRANTED, at=T0)
