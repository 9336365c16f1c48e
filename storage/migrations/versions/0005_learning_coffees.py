"""learning coffees: pair rhythms, rounds, groups, members, opt-outs

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pairoptout',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('circle_id', 'person_id')
    )
    with op.batch_alter_table('pairoptout', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pairoptout_circle_id'), ['circle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pairoptout_person_id'), ['person_id'], unique=False)

    op.create_table('pairround',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('trigger', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('scheduled_for', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('check_in_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('checked_in_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('left_out', sa.Integer(), nullable=False),
    sa.Column('repeats', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('circle_id', 'scheduled_for')
    )
    with op.batch_alter_table('pairround', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pairround_check_in_at'), ['check_in_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pairround_circle_id'), ['circle_id'], unique=False)

    op.create_table('pairschedule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('every_weeks', sa.Integer(), nullable=False),
    sa.Column('day', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('time', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('next_run_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('circle_id')
    )
    with op.batch_alter_table('pairschedule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pairschedule_next_run_at'), ['next_run_at'], unique=False)

    op.create_table('pairgroup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('prompt_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('shared_chat', sa.Boolean(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], ),
    sa.ForeignKeyConstraint(['round_id'], ['pairround.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('pairgroup', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pairgroup_circle_id'), ['circle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pairgroup_round_id'), ['round_id'], unique=False)

    op.create_table('pairmember',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('met', sa.Boolean(), nullable=True),
    sa.Column('answered_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['pairgroup.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['round_id'], ['pairround.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('round_id', 'person_id')
    )
    with op.batch_alter_table('pairmember', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pairmember_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pairmember_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pairmember_round_id'), ['round_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('pairmember', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pairmember_round_id'))
        batch_op.drop_index(batch_op.f('ix_pairmember_person_id'))
        batch_op.drop_index(batch_op.f('ix_pairmember_group_id'))

    op.drop_table('pairmember')
    with op.batch_alter_table('pairgroup', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pairgroup_round_id'))
        batch_op.drop_index(batch_op.f('ix_pairgroup_circle_id'))

    op.drop_table('pairgroup')
    with op.batch_alter_table('pairschedule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pairschedule_next_run_at'))

    op.drop_table('pairschedule')
    with op.batch_alter_table('pairround', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pairround_circle_id'))
        batch_op.drop_index(batch_op.f('ix_pairround_check_in_at'))

    op.drop_table('pairround')
    with op.batch_alter_table('pairoptout', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pairoptout_person_id'))
        batch_op.drop_index(batch_op.f('ix_pairoptout_circle_id'))

    op.drop_table('pairoptout')
