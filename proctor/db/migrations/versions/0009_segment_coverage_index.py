"""segments: a (camera_id, start_ms, end_ms) index, so a camera's recorded spans in a time
window (coverage, the results gate) are read from the index alone

Revision ID: 0009_segment_coverage_index
Revises: 0008_filing_number_unique
Create Date: 2026-11-30

"""
from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0009_segment_coverage_index'
down_revision: str | Sequence[str] | None = '0008_filing_number_unique'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.create_index('ix_segments_camera_id_start_ms_end_ms',
                              ['camera_id', 'start_ms', 'end_ms'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.drop_index('ix_segments_camera_id_start_ms_end_ms')
