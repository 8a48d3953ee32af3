"""batches: the filing number (备案号) is unique

Revision ID: 0008_filing_number_unique
Revises: 0007_supervision
Create Date: 2026-12-01

"""
from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0008_filing_number_unique'
down_revision: str | Sequence[str] | None = '0007_supervision'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_batches_filing_number'),
                                          ['filing_number'])


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_batches_filing_number'), type_='unique')
