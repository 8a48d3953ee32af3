"""audit chain: every audit entry carries its sequence number, the previous entry's hash
and its own; entries already present are chained in id order

Revision ID: 0006_audit_chain
Revises: 0005_working_calendar
Create Date: 2026-11-30

"""
from collections.abc import Sequence
from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op

from proctor.audit_chain import GENESIS, entry_hash
from proctor.db.base import UtcDateTime

# revision identifiers, used by Alembic.
revision: str = '0006_audit_chain'
down_revision: str | Sequence[str] | None = '0005_working_calendar'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000
audit_log = sa.table(
    'audit_log', sa.column('id', sa.Integer()), sa.column('at', UtcDateTime()),
    sa.column('actor', sa.String()), sa.column('action', sa.String()),
    sa.column('target', sa.String()), sa.column('detail', sa.JSON()),
    sa.column('seq', sa.Integer()), sa.column('prev_hash', sa.String()),
    sa.column('chain_hash', sa.String()))
FIELDS = [audit_log.c[name] for name in ('id', 'at', 'actor', 'action', 'target', 'detail')]


def _chain_existing_rows() -> None:
    """Number and chain the entries already present, oldest (lowest id) first; their
    fields are hashed exactly as stored."""
    connection = op.get_bind()
    update = audit_log.update().where(audit_log.c.id == sa.bindparam('row_id')).values(
        seq=sa.bindparam('new_seq'), prev_hash=sa.bindparam('new_prev'),
        chain_hash=sa.bindparam('new_hash'))
    seq, prev, last_id = 0, GENESIS, 0
    while True:
        rows = connection.execute(sa.select(*FIELDS).where(audit_log.c.id > last_id)
                                  .order_by(audit_log.c.id).limit(BATCH)).all()
        if not rows:
            return
        links = []
        for row in rows:
            seq += 1
            entry = SimpleNamespace(**row._mapping, seq=seq, prev_hash=prev)
            prev = entry_hash(entry)
            links.append({'row_id': row.id, 'new_seq': seq, 'new_prev': entry.prev_hash,
                          'new_hash': prev})
        connection.execute(update, links)
        last_id = rows[-1].id


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('chain_hash', sa.String(length=64), nullable=True))
    _chain_existing_rows()
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('chain_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_log_seq'), ['seq'])
        batch_op.create_unique_constraint(batch_op.f('uq_audit_log_prev_hash'), ['prev_hash'])


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_log_prev_hash'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_audit_log_seq'), type_='unique')
        batch_op.drop_column('chain_hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')
