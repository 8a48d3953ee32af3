"""complaints (投诉举报): the complaints, their deadline extensions, attachments (in the
object store) and the clips attached under investigation, each held by a legal hold

Revision ID: 0010_complaints
Revises: 0009_segment_coverage_index
Create Date: 2026-11-30

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from proctor.db.base import UtcDateTime

# revision identifiers, used by Alembic.
revision: str = '0010_complaints'
down_revision: str | Sequence[str] | None = '0009_segment_coverage_index'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('complaints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tracking_code', sa.String(length=32), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('room_id', sa.Integer(), nullable=True),
    sa.Column('seat', sa.String(length=20), nullable=False),
    sa.Column('candidate', sa.String(length=100), nullable=False),
    sa.Column('incident_from', UtcDateTime(), nullable=True),
    sa.Column('incident_to', UtcDateTime(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('complainant_name', sa.String(length=100), nullable=False),
    sa.Column('complainant_contact', sa.String(length=200), nullable=False),
    sa.Column('channel', sa.Enum('online', 'phone', 'letter', 'visit', name='complaintchannel', native_enum=False, length=16), nullable=False),
    sa.Column('state', sa.Enum('registered', 'first_review', 'investigating', 'resolved', 'closed', name='complaintstate', native_enum=False, length=16), nullable=False),
    sa.Column('registered_by', sa.String(length=200), nullable=False),
    sa.Column('registered_at', UtcDateTime(), nullable=False),
    sa.Column('handling_officer_id', sa.Integer(), nullable=True),
    sa.Column('first_review_due', sa.Date(), nullable=True),
    sa.Column('first_reviewed_at', UtcDateTime(), nullable=True),
    sa.Column('first_review_note', sa.Text(), nullable=False),
    sa.Column('resolution_due', sa.Date(), nullable=True),
    sa.Column('resolved_at', UtcDateTime(), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=False),
    sa.Column('substantiated', sa.Boolean(), nullable=True),
    sa.Column('requires_amended_report', sa.Boolean(), nullable=False),
    sa.Column('closed_at', UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_complaints_batch_id_batches')),
    sa.ForeignKeyConstraint(['handling_officer_id'], ['users.id'], name=op.f('fk_complaints_handling_officer_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_complaints_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_complaints_room_id_rooms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints')),
    sa.UniqueConstraint('tracking_code', name=op.f('uq_complaints_tracking_code'))
    )
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaints_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_closed_at'), ['closed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_handling_officer_id'), ['handling_officer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_state'), ['state'], unique=False)

    op.create_table('complaint_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('object_key', sa.String(length=300), nullable=False),
    sa.Column('version_id', sa.String(length=200), nullable=False),
    sa.Column('media_type', sa.String(length=50), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_complaint_attachments_complaint_id_complaints')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_attachments')),
    sa.UniqueConstraint('object_key', name=op.f('uq_complaint_attachments_object_key'))
    )
    with op.batch_alter_table('complaint_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_attachments_complaint_id'), ['complaint_id'], unique=False)

    op.create_table('complaint_extensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('previous_due', sa.Date(), nullable=False),
    sa.Column('new_due', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('extended_by', sa.String(length=200), nullable=False),
    sa.Column('extended_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_complaint_extensions_complaint_id_complaints')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_extensions'))
    )
    with op.batch_alter_table('complaint_extensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_extensions_complaint_id'), ['complaint_id'], unique=False)

    op.create_table('complaint_clips',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('camera_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', UtcDateTime(), nullable=False),
    sa.Column('ends_at', UtcDateTime(), nullable=False),
    sa.Column('legal_hold_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('attached_by', sa.String(length=200), nullable=False),
    sa.Column('attached_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['camera_id'], ['cameras.id'], name=op.f('fk_complaint_clips_camera_id_cameras')),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_complaint_clips_complaint_id_complaints')),
    sa.ForeignKeyConstraint(['legal_hold_id'], ['legal_holds.id'], name=op.f('fk_complaint_clips_legal_hold_id_legal_holds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_clips'))
    )
    with op.batch_alter_table('complaint_clips', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_clips_complaint_id'), ['complaint_id'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('complaint_clips', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_clips_complaint_id'))

    op.drop_table('complaint_clips')
    with op.batch_alter_table('complaint_extensions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_extensions_complaint_id'))

    op.drop_table('complaint_extensions')
    with op.batch_alter_table('complaint_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_attachments_complaint_id'))

    op.drop_table('complaint_attachments')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaints_state'))
        batch_op.drop_index(batch_op.f('ix_complaints_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_complaints_handling_officer_id'))
        batch_op.drop_index(batch_op.f('ix_complaints_closed_at'))
        batch_op.drop_index(batch_op.f('ix_complaints_batch_id'))

    op.drop_table('complaints')
