"""a circle's language may be unset: it follows its mentor's

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""
from alembic import op
import sqlmodel


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('circle', schema=None) as batch_op:
        batch_op.alter_column('language', existing_type=sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE circle SET language = 'en' WHERE language IS NULL")
    with op.batch_alter_table('circle', schema=None) as batch_op:
        batch_op.alter_column('language', existing_type=sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False)
