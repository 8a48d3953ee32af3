"""Listing a camera's legal holds and lifting one within the user's scope (real SQLite;
no segments are stored, so the object store is never called)."""

from __future__ import annotations

from typing import cast

import pytest
from sqlalchemy.orm import Session
from support.places import ADMIN, add_user, build_place

from proctor.auth.scope import load_scope
from proctor.db.models import Role
from proctor.errors import Conflict, Forbidden, NotFound
from proctor.recording.legal_hold import place_hold
from proctor.recording.legal_hold_service import camera_holds, lift_in_scope
from proctor.recording.store import ObjectStore, StoreNotConfigured

T0 = 1_700_000_000_000


class UntouchedStore:
    """An object store no test here may reach (there are no segments to hold)."""

    def set_legal_hold(self, key: str, version: str, on: bool) -> None:
        raise AssertionError(f"the store was asked to hold {key}")


STORE = cast(ObjectStore, UntouchedStore())


def test_a_cameras_holds_oldest_first_and_no_other_cameras(db: Session) -> None:
    north, south = build_place(db, "North"), build_place(db, "South")
    first, _ = place_hold(db, STORE, north.camera.id, T0, T0 + 1_000, "complaint 1", ADMIN)
    place_hold(db, STORE, south.camera.id, T0, T0 + 1_000, "complaint 2", ADMIN)
    second, _ = place_hold(db, STORE, north.camera.id, T0, T0 + 2_000, "complaint 3", ADMIN)
    assert [h.id for h in camera_holds(db, north.camera.id)] == [first.id, second.id]
    assert camera_holds(db, 99) == []


def test_an_officer_of_the_site_lifts_a_hold_once(db: Session) -> None:
    north = build_place(db, "North")
    officer = add_user(db, "olga", Role.COMPLAINT_OFFICER, [north.site])
    hold, _ = place_hold(db, STORE, north.camera.id, T0, T0 + 1_000, "complaint 1", ADMIN)
    lifted = lift_in_scope(db, STORE, load_scope(db, officer), hold.id)
    assert lifted.id == hold.id and lifted.lifted_at is not None
    assert lifted.lifted_by == f"user:{officer.id}"
    with pytest.raises(Conflict, match=f"legal hold {hold.id} was already lifted"):
        lift_in_scope(db, STORE, load_scope(db, officer), hold.id)


@pytest.mark.parametrize("role, granted", [(Role.COMPLAINT_OFFICER, False),
                                           (Role.SUPERVISOR, True)])
def test_outside_the_scope_the_hold_stays(db: Session, role: Role, granted: bool) -> None:
    """Another site's hold is as unknown as a missing one (404); a hold on a camera in
    scope that the role may not lift is refused (403)."""
    north, south = build_place(db, "North"), build_place(db, "South")
    user = add_user(db, "sam", role, [north.site if granted else south.site])
    hold, _ = place_hold(db, STORE, north.camera.id, T0, T0 + 1_000, "complaint 1", ADMIN)
    refusal = (pytest.raises(Forbidden, match=f"user 'sam' may not lift legal hold {hold.id}")
               if granted else pytest.raises(NotFound, match="is not yours to see"))
    with refusal:
        lift_in_scope(db, STORE, load_scope(db, user), hold.id)
    assert hold.lifted_at is None


def test_a_missing_hold_is_named(db: Session) -> None:
    admin = add_user(db, "root", Role.ADMIN, [])
    with pytest.raises(NotFound, match="legal hold 7 does not exist"):
        lift_in_scope(db, STORE, load_scope(db, admin), 7)


def test_without_a_store_access_is_decided_first(db: Session) -> None:
    """A server without an object store refuses an outsider (404: not theirs to see), and
    tells an authorised user that lifting needs the store (503), leaving the hold in place."""
    north, south = build_place(db, "North"), build_place(db, "South")
    outsider = add_user(db, "sam", Role.COMPLAINT_OFFICER, [south.site])
    officer = add_user(db, "olga", Role.COMPLAINT_OFFICER, [north.site])
    hold, _ = place_hold(db, STORE, north.camera.id, T0, T0 + 1_000, "complaint 1", ADMIN)
    with pytest.raises(NotFound, match="is not yours to see"):
        lift_in_scope(db, None, load_scope(db, outsider), hold.id)
    with pytest.raises(StoreNotConfigured, match="PROCTOR_S3_ENDPOINT"):
        lift_in_scope(db, None, load_scope(db, officer), hold.id)
    assert hold.lifted_at is None
