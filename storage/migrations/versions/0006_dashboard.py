"""dashboard: single-use sign-in links, browser sessions, summaries kept for the pages

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dashboardlink',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('dashboardlink', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dashboardlink_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dashboardlink_person_id'), ['person_id'], unique=False)

    op.create_table('dashboardsession',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('dashboardsession', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dashboardsession_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dashboardsession_person_id'), ['person_id'], unique=False)

    op.create_table('dashboardsummary',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=True),
    sa.Column('computed_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('dashboardsummary', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dashboardsummary_workspace_id'), ['workspace_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dashboardsummary', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dashboardsummary_workspace_id'))

    op.drop_table('dashboardsummary')
    with op.batch_alter_table('dashboardsession', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dashboardsession_person_id'))
        batch_op.drop_index(batch_op.f('ix_dashboardsession_expires_at'))

    op.drop_table('dashboardsession')
    with op.batch_alter_table('dashboardlink', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dashboardlink_person_id'))
        batch_op.drop_index(batch_op.f('ix_dashboardlink_expires_at'))

    op.drop_table('dashboardlink')
