"""working calendar: entered years and their holidays and make-up workdays, seeded 2004-2026

Revision ID: 0005_working_calendar
Revises: 0004
Create Date: 2026-11-30

"""
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from proctor.supervision.calendar import DayKind
from proctor.supervision.year_entry import load_seed

# revision identifiers, used by Alembic.
revision: str = '0005_working_calendar'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEED_ACTOR = "system:calendar-seed"


def upgrade() -> None:
    """Create the calendar tables and enter the checked-in years (data/cn_calendar.json)."""
    years = op.create_table('calendar_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('source_notice', sa.String(length=1000), nullable=False),
    sa.Column('entered_by', sa.String(length=200), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_years'))
    )
    days = op.create_table('calendar_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.Enum(DayKind, native_enum=False, length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('notice_year', sa.Integer(), nullable=False),
    sa.Column('source_notice', sa.String(length=1000), nullable=False),
    sa.Column('entered_by', sa.String(length=200), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['notice_year'], ['calendar_years.year'],
                            name=op.f('fk_calendar_days_notice_year_calendar_years')),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_days'))
    )
    with op.batch_alter_table('calendar_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_days_notice_year'), ['notice_year'],
                              unique=False)
    _seed(years, days)


def _seed(years: sa.Table, days: sa.Table) -> None:
    now = datetime.now(UTC)
    entries = load_seed()
    stamp = {"entered_by": SEED_ACTOR, "entered_at": now}
    op.bulk_insert(years, [{"year": e.year, "source_notice": e.source_notice, **stamp}
                           for e in entries])
    op.bulk_insert(days, [{"day": d.day, "kind": d.kind, "name": d.name, "notice_year": e.year,
                           "source_notice": e.source_notice, **stamp}
                          for e in entries for d in e.days])


def downgrade() -> None:
    """Drop the calendar tables."""
    with op.batch_alter_table('calendar_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_days_notice_year'))

    op.drop_table('calendar_days')
    op.drop_table('calendar_years')
