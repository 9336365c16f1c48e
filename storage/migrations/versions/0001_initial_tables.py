"""initial tables

Revision ID: 0001
Revises: 
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('workspace',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('platform', 'external_id')
    )
    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('platform_user_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('paused_until', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('is_hr', sa.Boolean(), nullable=False),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('is_bot', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('address', sa.JSON(), nullable=True),
    sa.Column('profile_checked_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('workspace_id', 'platform_user_id')
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('circle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('channel_address', sa.JSON(), nullable=True),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('default_visibility', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('store_coffee_text', sa.Boolean(), nullable=False),
    sa.Column('archived_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['mentor_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('circle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_circle_mentor_id'), ['mentor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_circle_workspace_id'), ['workspace_id'], unique=False)
        batch_op.create_index('uq_circle_live_channel', ['workspace_id', 'channel_id'], unique=True, sqlite_where=sa.text('archived_at IS NULL'), postgresql_where=sa.text('archived_at IS NULL'))

    op.create_table('circleprompt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('circleprompt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_circleprompt_circle_id'), ['circle_id'], unique=False)

    op.create_table('membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('joined_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('circle_id', 'person_id')
    )
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_circle_id'), ['circle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_person_id'), ['person_id'], unique=False)

    op.create_table('promptrun',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('prompt_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('trigger', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('scheduled_for', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closes_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('remind_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('circle_id', 'kind', 'scheduled_for')
    )
    with op.batch_alter_table('promptrun', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_promptrun_circle_id'), ['circle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_promptrun_closes_at'), ['closes_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_promptrun_remind_at'), ['remind_at'], unique=False)

    op.create_table('schedule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('days', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('time', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('next_run_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('circle_id', 'kind')
    )
    with op.batch_alter_table('schedule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedule_circle_id'), ['circle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedule_next_run_at'), ['next_run_at'], unique=False)

    op.create_table('assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('prompt_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('offered', sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
    sa.Column('skipped_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('snoozes', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['promptrun.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('run_id', 'person_id')
    )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_run_id'), ['run_id'], unique=False)

    op.create_table('participation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['promptrun.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id')
    )
    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participation_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_participation_run_id'), ['run_id'], unique=False)

    op.create_table('reply',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('prompt_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('visibility', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('source_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['promptrun.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('run_id', 'person_id'),
    sa.UniqueConstraint('source_id')
    )
    with op.batch_alter_table('reply', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reply_circle_id'), ['circle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reply_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reply_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reply_run_id'), ['run_id'], unique=False)

    op.create_table('delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('circle_id', sa.Integer(), nullable=True),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('assignment_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('due_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('sent_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('platform_message_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('platform_channel_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], ),
    sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['promptrun.id'], ),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_circle_id'), ['circle_id'], unique=False)
        batch_op.create_index('ix_delivery_due', ['status', 'platform', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_platform_message_id'), ['platform_message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_workspace_id'), ['workspace_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_delivery_run_id'))
        batch_op.drop_index(batch_op.f('ix_delivery_platform_message_id'))
        batch_op.drop_index(batch_op.f('ix_delivery_person_id'))
        batch_op.drop_index('ix_delivery_due')
        batch_op.drop_index(batch_op.f('ix_delivery_circle_id'))
        batch_op.drop_index(batch_op.f('ix_delivery_assignment_id'))

    op.drop_table('delivery')
    with op.batch_alter_table('reply', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reply_run_id'))
        batch_op.drop_index(batch_op.f('ix_reply_person_id'))
        batch_op.drop_index(batch_op.f('ix_reply_created_at'))
        batch_op.drop_index(batch_op.f('ix_reply_circle_id'))

    op.drop_table('reply')
    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participation_run_id'))
        batch_op.drop_index(batch_op.f('ix_participation_person_id'))

    op.drop_table('participation')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_run_id'))
        batch_op.drop_index(batch_op.f('ix_assignment_person_id'))

    op.drop_table('assignment')
    with op.batch_alter_table('schedule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedule_next_run_at'))
        batch_op.drop_index(batch_op.f('ix_schedule_circle_id'))

    op.drop_table('schedule')
    with op.batch_alter_table('promptrun', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_promptrun_remind_at'))
        batch_op.drop_index(batch_op.f('ix_promptrun_closes_at'))
        batch_op.drop_index(batch_op.f('ix_promptrun_circle_id'))

    op.drop_table('promptrun')
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_person_id'))
        batch_op.drop_index(batch_op.f('ix_membership_circle_id'))

    op.drop_table('membership')
    with op.batch_alter_table('circleprompt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_circleprompt_circle_id'))

    op.drop_table('circleprompt')
    with op.batch_alter_table('circle', schema=None) as batch_op:
        batch_op.drop_index('uq_circle_live_channel', sqlite_where=sa.text('archived_at IS NULL'), postgresql_where=sa.text('archived_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_circle_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_circle_mentor_id'))

    op.drop_table('circle')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_workspace_id'))

    op.drop_table('person')
    op.drop_table('workspace')
