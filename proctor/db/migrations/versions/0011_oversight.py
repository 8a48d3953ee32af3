"""oversight: the per-batch coverage aggregate of the region views, and the notices handed
to the notifier (so each is sent once across restarts)

Revision ID: 0011_oversight
Revises: 0010_complaints
Create Date: 2026-11-30

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from proctor.db.base import UtcDateTime

# revision identifiers, used by Alembic.
revision: str = '0011_oversight'
down_revision: str | Sequence[str] | None = '0010_complaints'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('oversight_batch_coverage',
    sa.Column('batch_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('expected_seconds', sa.Double(), nullable=False),
    sa.Column('recorded_seconds', sa.Double(), nullable=False),
    sa.Column('computed_at', UtcDateTime(), nullable=False),
    sa.Column('settled', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_oversight_batch_coverage_batch_id_batches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('batch_id', name=op.f('pk_oversight_batch_coverage'))
    )
    op.create_table('oversight_notices_sent',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('sent_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_oversight_notices_sent'))
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('oversight_notices_sent')
    op.drop_table('oversight_batch_coverage')
