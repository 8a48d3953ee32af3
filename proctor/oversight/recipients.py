"""Who a notice is for: the active users whose region grants hold the organisation's
district, or who are granted one of its sites, and, for a batch, its drawn supervisors.
A complaint notice goes only to complaint officers among them: never to the accused
organisation's operators."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from proctor.db.models import Role, Site, SiteGrant, User
from proctor.db.organisations import RegionGrant
from proctor.oversight.notices import Notice, Subject
from proctor.oversight.notifier import Recipient
from proctor.oversight.regions import lineage
from proctor.supervision.oversight import Assignment, Supervisor


def recipients(db: Session, notice: Notice) -> list[Recipient]:
    """The recipients of ``notice``, by user id."""
    region_users = select(RegionGrant.user_id).where(
        RegionGrant.region_code.in_(lineage(notice.district_code)))
    site_users = (select(SiteGrant.user_id).join(Site, Site.id == SiteGrant.site_id)
                  .where(Site.organisation_id == notice.organisation_id))
    sources = [User.id.in_(region_users), User.id.in_(site_users)]
    query = select(User.id, User.role).where(User.is_active.is_(True)).order_by(User.id)
    if notice.subject is Subject.BATCH:
        drawn = (select(Supervisor.user_id)
                 .join(Assignment, Assignment.supervisor_id == Supervisor.id)
                 .where(Assignment.batch_id == notice.subject_id))
        sources.append(User.id.in_(drawn))
    else:
        query = query.where(User.role == Role.COMPLAINT_OFFICER)
    return [Recipient(user_id, role) for user_id, role in db.execute(query.where(or_(*sources)))]
