"""sign-in codes remember who asked (a keyed digest of the client's address), for a limit per asker

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-01 17:40:00

One nullable column and its index; existing rows keep NULL (they count against no asker).
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('sign_in_code', sa.Column('client_digest', sa.LargeBinary(length=32), nullable=True))
    op.create_index('ix_sign_in_code_client_created', 'sign_in_code', ['client_digest', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_sign_in_code_client_created', table_name='sign_in_code')
    with op.batch_alter_table('sign_in_code') as batch:
        batch.drop_column('client_digest')
