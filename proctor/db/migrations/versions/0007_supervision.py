"""supervision: regions, organisations and region grants; certification batches with their
sessions, rooms and rosters; the supervisor pool, draws and assignments; event reviews,
findings, explained coverage gaps and reports

Revision ID: 0007_supervision
Revises: 0006_audit_chain
Create Date: 2026-11-30

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from proctor.db.base import UtcDateTime

# revision identifiers, used by Alembic.
revision: str = '0007_supervision'
down_revision: str | Sequence[str] | None = '0006_audit_chain'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('regions',
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.Enum('province', 'city', 'district', name='regionlevel', native_enum=False, length=16), nullable=False),
    sa.Column('parent_code', sa.String(length=6), nullable=True),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.CheckConstraint('length(code) = 6', name=op.f('ck_regions_region_code_six_digits')),
    sa.ForeignKeyConstraint(['parent_code'], ['regions.code'], name=op.f('fk_regions_parent_code_regions')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_regions'))
    )
    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_regions_parent_code'), ['parent_code'], unique=False)

    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('enterprise', 'college', 'social_org', name='organisationkind', native_enum=False, length=16), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('registration_number', sa.String(length=100), nullable=False),
    sa.Column('head_name', sa.String(length=100), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_organisations_region_code_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('name', name=op.f('uq_organisations_name'))
    )
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisations_region_code'), ['region_code'], unique=False)

    op.create_table('region_grants',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_region_grants_region_code_regions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_region_grants_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'region_code', name=op.f('pk_region_grants'))
    )
    op.create_table('batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('occupation_name', sa.String(length=200), nullable=False),
    sa.Column('occupation_code', sa.String(length=50), nullable=False),
    sa.Column('level', sa.Enum('五级', '四级', '三级', '二级', '一级', name='level', native_enum=False, length=8), nullable=False),
    sa.Column('mode', sa.Enum('理论知识考试', '操作技能考核', '综合评审', name='mode', native_enum=False, length=16), nullable=False),
    sa.Column('state', sa.Enum('draft', 'filed', 'supervisors_drawn', 'in_progress', 'ended', 'report_signed', 'publicity', 'results_filed', 'accepted', 'not_accepted', name='batchstate', native_enum=False, length=32), nullable=False),
    sa.Column('filing_number', sa.String(length=100), nullable=True),
    sa.Column('plan_filed_on', sa.Date(), nullable=True),
    sa.Column('publicity_started_on', sa.Date(), nullable=True),
    sa.Column('results_filed_on', sa.Date(), nullable=True),
    sa.Column('decided_at', UtcDateTime(), nullable=True),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_batches_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batches'))
    )
    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_batches_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_batches_state'), ['state'], unique=False)

    op.create_table('supervisors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('qualification_number', sa.String(length=100), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_supervisors_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_supervisors_region_code_regions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_supervisors_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervisors')),
    sa.UniqueConstraint('user_id', name=op.f('uq_supervisors_user_id'))
    )
    with op.batch_alter_table('supervisors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervisors_region_code'), ['region_code'], unique=False)

    op.create_table('draws',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('supervisors', 'inspections', name='drawkind', native_enum=False, length=16), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('commitment', sa.String(length=64), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=True),
    sa.Column('snapshot', sa.Text(), nullable=False),
    sa.Column('snapshot_sha256', sa.String(length=64), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('drawn_by', sa.String(length=200), nullable=False),
    sa.Column('committed_at', UtcDateTime(), nullable=False),
    sa.Column('revealed_at', UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_draws_batch_id_batches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draws'))
    )
    with op.batch_alter_table('draws', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draws_batch_id'), ['batch_id'], unique=False)

    op.create_table('exam_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('starts_at', UtcDateTime(), nullable=False),
    sa.Column('ends_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_exam_sessions_batch_id_batches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_sessions')),
    sa.UniqueConstraint('batch_id', 'name', name=op.f('uq_exam_sessions_batch_id_name'))
    )
    with op.batch_alter_table('exam_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_sessions_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exam_sessions_ends_at'), ['ends_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_exam_sessions_starts_at'), ['starts_at'], unique=False)

    op.create_table('findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('camera_ids', sa.JSON(), nullable=False),
    sa.Column('starts_at', UtcDateTime(), nullable=False),
    sa.Column('ends_at', UtcDateTime(), nullable=False),
    sa.Column('category', sa.Enum('人证一致/代考', '考场布置', '考评员资质与配比', '守则宣读', '视频覆盖', '签到与记录表', '评分执行', '安全', name='checkitem', native_enum=False, length=16), nullable=False),
    sa.Column('severity', sa.Enum('一般', '较重', '严重', name='severity', native_enum=False, length=8), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_findings_author_id_users')),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_findings_batch_id_batches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_findings'))
    )
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_findings_batch_id'), ['batch_id'], unique=False)

    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('amends_id', sa.Integer(), nullable=True),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('conclusion', sa.Enum('合格', '整改后认可', '不予认可', name='conclusion', native_enum=False, length=16), nullable=False),
    sa.Column('pdf_key', sa.String(length=300), nullable=True),
    sa.Column('pdf_version', sa.String(length=200), nullable=True),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('signed_by', sa.String(length=200), nullable=True),
    sa.Column('signed_at', UtcDateTime(), nullable=True),
    sa.Column('acknowledged_by', sa.String(length=100), nullable=True),
    sa.Column('acknowledged_at', UtcDateTime(), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['amends_id'], ['reports.id'], name=op.f('fk_reports_amends_id_reports')),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_reports_batch_id_batches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    sa.UniqueConstraint('number', 'version', name=op.f('uq_reports_number_version'))
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reports_batch_id'), ['batch_id'], unique=False)

    op.create_table('supervisor_conflicts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('近亲属', '师生', '同事', name='conflictkind', native_enum=False, length=16), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('person', sa.String(length=100), nullable=False),
    sa.Column('declared_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_supervisor_conflicts_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['supervisor_id'], ['supervisors.id'], name=op.f('fk_supervisor_conflicts_supervisor_id_supervisors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervisor_conflicts'))
    )
    with op.batch_alter_table('supervisor_conflicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervisor_conflicts_supervisor_id'), ['supervisor_id'], unique=False)

    op.create_table('assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=False),
    sa.Column('draw_id', sa.Integer(), nullable=False),
    sa.Column('access_until', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_assignments_batch_id_batches')),
    sa.ForeignKeyConstraint(['draw_id'], ['draws.id'], name=op.f('fk_assignments_draw_id_draws')),
    sa.ForeignKeyConstraint(['supervisor_id'], ['supervisors.id'], name=op.f('fk_assignments_supervisor_id_supervisors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignments')),
    sa.UniqueConstraint('batch_id', 'supervisor_id', name=op.f('uq_assignments_batch_id_supervisor_id'))
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignments_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignments_supervisor_id'), ['supervisor_id'], unique=False)

    op.create_table('session_rooms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('expected_examinees', sa.Integer(), nullable=False),
    sa.Column('present', sa.Integer(), nullable=True),
    sa.Column('absent', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_session_rooms_room_id_rooms')),
    sa.ForeignKeyConstraint(['session_id'], ['exam_sessions.id'], name=op.f('fk_session_rooms_session_id_exam_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_rooms')),
    sa.UniqueConstraint('session_id', 'room_id', name=op.f('uq_session_rooms_session_id_room_id'))
    )
    with op.batch_alter_table('session_rooms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_rooms_room_id'), ['room_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_session_rooms_session_id'), ['session_id'], unique=False)

    op.create_table('candidates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_room_id', sa.Integer(), nullable=False),
    sa.Column('ticket_number', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('seat', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['session_room_id'], ['session_rooms.id'], name=op.f('fk_candidates_session_room_id_session_rooms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_candidates')),
    sa.UniqueConstraint('session_room_id', 'ticket_number', name=op.f('uq_candidates_session_room_id_ticket_number'))
    )
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_candidates_session_room_id'), ['session_room_id'], unique=False)

    op.create_table('gap_explanations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('camera_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', UtcDateTime(), nullable=False),
    sa.Column('ends_at', UtcDateTime(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('explained_by', sa.String(length=200), nullable=False),
    sa.Column('explained_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_gap_explanations_batch_id_batches')),
    sa.ForeignKeyConstraint(['camera_id'], ['cameras.id'], name=op.f('fk_gap_explanations_camera_id_cameras')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gap_explanations'))
    )
    with op.batch_alter_table('gap_explanations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gap_explanations_batch_id'), ['batch_id'], unique=False)

    op.create_table('roster_staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_room_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('考评员', '监考员', name='staffrole', native_enum=False, length=8), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('qualification_number', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['session_room_id'], ['session_rooms.id'], name=op.f('fk_roster_staff_session_room_id_session_rooms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_staff'))
    )
    with op.batch_alter_table('roster_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_staff_session_room_id'), ['session_room_id'], unique=False)

    op.create_table('event_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.Enum('confirmed', 'dismissed', name='reviewdecision', native_enum=False, length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('reviewed_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_event_reviews_batch_id_batches')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_reviews_event_id_events')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_event_reviews_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_reviews')),
    sa.UniqueConstraint('event_id', 'user_id', name=op.f('uq_event_reviews_event_id_user_id'))
    )
    with op.batch_alter_table('event_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_reviews_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_reviews_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_reviews_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_sites_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_sites_organisation_id_organisations'), 'organisations', ['organisation_id'], ['id'])



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_sites_organisation_id_organisations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_sites_organisation_id'))
        batch_op.drop_column('organisation_id')

    with op.batch_alter_table('event_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_reviews_user_id'))
        batch_op.drop_index(batch_op.f('ix_event_reviews_event_id'))
        batch_op.drop_index(batch_op.f('ix_event_reviews_batch_id'))

    op.drop_table('event_reviews')
    with op.batch_alter_table('roster_staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_staff_session_room_id'))

    op.drop_table('roster_staff')
    with op.batch_alter_table('gap_explanations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gap_explanations_batch_id'))

    op.drop_table('gap_explanations')
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_candidates_session_room_id'))

    op.drop_table('candidates')
    with op.batch_alter_table('session_rooms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_rooms_session_id'))
        batch_op.drop_index(batch_op.f('ix_session_rooms_room_id'))

    op.drop_table('session_rooms')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignments_supervisor_id'))
        batch_op.drop_index(batch_op.f('ix_assignments_batch_id'))

    op.drop_table('assignments')
    with op.batch_alter_table('supervisor_conflicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervisor_conflicts_supervisor_id'))

    op.drop_table('supervisor_conflicts')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reports_batch_id'))

    op.drop_table('reports')
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_findings_batch_id'))

    op.drop_table('findings')
    with op.batch_alter_table('exam_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_sessions_starts_at'))
        batch_op.drop_index(batch_op.f('ix_exam_sessions_ends_at'))
        batch_op.drop_index(batch_op.f('ix_exam_sessions_batch_id'))

    op.drop_table('exam_sessions')
    with op.batch_alter_table('draws', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draws_batch_id'))

    op.drop_table('draws')
    with op.batch_alter_table('supervisors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervisors_region_code'))

    op.drop_table('supervisors')
    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_batches_state'))
        batch_op.drop_index(batch_op.f('ix_batches_organisation_id'))

    op.drop_table('batches')
    op.drop_table('region_grants')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisations_region_code'))

    op.drop_table('organisations')
    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_regions_parent_code'))

    op.drop_table('regions')
