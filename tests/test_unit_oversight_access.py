"""Who oversees which region, on a real (SQLite) region tree 福建省 → 厦门市 → 思明区, 湖里区:
an administrator every province; a user whose role views the archive the regions granted
and below them, starting at the highest grant; nobody else any region."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from support.drawn import FUJIAN, HULI, SIMING, XIAMEN, xiamen_regions
from support.places import ADMIN, add_user

from proctor.auth.scope import Scope, load_scope
from proctor.db.models import Role
from proctor.errors import Forbidden, InvalidInput, NotFound
from proctor.organisations.grants import grant_region
from proctor.oversight.access import overseen_region, overseen_roots


def user_with(db: Session, role: Role, *regions: str) -> Scope:
    xiamen_regions(db)
    user = add_user(db, f"{role.value}-user", role, [])
    for code in regions:
        grant_region(db, ADMIN, user.id, code)
    db.commit()
    return load_scope(db, user)


def roots(db: Session, scope: Scope) -> list[str]:
    return [region.code for region in overseen_roots(db, scope)]


def test_the_administrator_oversees_from_every_province(db: Session) -> None:
    admin = user_with(db, Role.ADMIN)
    assert roots(db, admin) == [FUJIAN]
    region, tree = overseen_region(db, admin, HULI)
    assert region.code == HULI and tree.code == HULI


def test_oversight_starts_at_the_highest_grant_and_covers_what_is_below(db: Session) -> None:
    auditor = user_with(db, Role.AUDITOR, SIMING, XIAMEN)  # the district is held by the city
    assert roots(db, auditor) == [XIAMEN]
    for code in (XIAMEN, SIMING, HULI):
        assert overseen_region(db, auditor, code)[0].code == code
    with pytest.raises(Forbidden, match=f"may not oversee region {FUJIAN}: .*granted: "
                                        f"{XIAMEN}, {SIMING}\\)"):
        overseen_region(db, auditor, FUJIAN)


def test_a_district_grant_oversees_only_that_district(db: Session) -> None:
    officer = user_with(db, Role.COMPLAINT_OFFICER, SIMING)
    assert roots(db, officer) == [SIMING]
    assert overseen_region(db, officer, SIMING)[0].code == SIMING
    with pytest.raises(Forbidden):
        overseen_region(db, officer, HULI)  # a sibling


def test_a_role_that_does_not_view_the_archive_oversees_nothing(db: Session) -> None:
    operator = user_with(db, Role.ORG_OPERATOR, XIAMEN)
    assert roots(db, operator) == []
    with pytest.raises(Forbidden, match="granted: none"):
        overseen_region(db, operator, SIMING)


@pytest.mark.parametrize(("code", "error", "message"), [
    ("35", InvalidInput, "a region code is six digits .*; got '35'"),
    ("abcdef", InvalidInput, "six digits"),
    ("350299", NotFound, "region '350299' does not exist"),  # well-formed, not added
])
def test_a_bad_or_unknown_code_is_refused_before_any_grant_is_read(
        db: Session, code: str, error: type[Exception], message: str) -> None:
    admin = user_with(db, Role.ADMIN)
    with pytest.raises(error, match=message):
        overseen_region(db, admin, code)
