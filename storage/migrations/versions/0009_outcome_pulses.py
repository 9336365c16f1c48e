"""outcome pulses: rhythms, rounds, and who was asked with their own answers

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pulseround',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('scope', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=True),
    sa.Column('statement_set', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('statements', sa.JSON(), nullable=True),
    sa.Column('trigger', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('scheduled_for', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closes_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('remind_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], ),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('workspace_id', 'scope', 'scheduled_for')
    )
    with op.batch_alter_table('pulseround', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pulseround_closes_at'), ['closes_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pulseround_remind_at'), ['remind_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pulseround_scheduled_for'), ['scheduled_for'], unique=False)
        batch_op.create_index(batch_op.f('ix_pulseround_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('pulseschedule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('scope', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=True),
    sa.Column('every_weeks', sa.Integer(), nullable=False),
    sa.Column('day', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('time', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('next_run_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], ),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('workspace_id', 'scope')
    )
    with op.batch_alter_table('pulseschedule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pulseschedule_next_run_at'), ['next_run_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pulseschedule_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('pulseinvite',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('answered_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('a1', sa.SmallInteger(), nullable=True),
    sa.Column('a2', sa.SmallInteger(), nullable=True),
    sa.Column('a3', sa.SmallInteger(), nullable=True),
    sa.Column('a4', sa.SmallInteger(), nullable=True),
    sa.Column('a5', sa.SmallInteger(), nullable=True),
    sa.Column('a6', sa.SmallInteger(), nullable=True),
    sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['round_id'], ['pulseround.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('round_id', 'person_id')
    )
    with op.batch_alter_table('pulseinvite', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pulseinvite_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pulseinvite_round_id'), ['round_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('pulseinvite', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pulseinvite_round_id'))
        batch_op.drop_index(batch_op.f('ix_pulseinvite_person_id'))

    op.drop_table('pulseinvite')
    with op.batch_alter_table('pulseschedule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pulseschedule_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_pulseschedule_next_run_at'))

    op.drop_table('pulseschedule')
    with op.batch_alter_table('pulseround', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pulseround_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_pulseround_scheduled_for'))
        batch_op.drop_index(batch_op.f('ix_pulseround_remind_at'))
        batch_op.drop_index(batch_op.f('ix_pulseround_closes_at'))

    op.drop_table('pulseround')
