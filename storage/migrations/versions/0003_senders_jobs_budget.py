"""senders' heartbeats, scheduled job runs, shared send budgets

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sender',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('started_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('heartbeat_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('jobrun',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('started_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('sendbudget',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('tat', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )


def downgrade() -> None:
    op.drop_table('sendbudget')
    op.drop_table('jobrun')
    op.drop_table('sender')
