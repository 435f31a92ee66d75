"""dispatch pacing: outbound_message.priority (+ its queue index) and send_pace, the senders' token buckets

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-01 11:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0004'
branch_labels = None
depends_on = None

# Kinds as core.models.TEXT_PRIORITY had them when this was written (0 urgent, 1 personal, 2 bulk).
URGENT = ('promise_reminder', 'invitation')
BULK = ('daily_question', 'weekly_summary', 'thinking_auto')


def upgrade() -> None:
    with op.batch_alter_table('outbound_message') as batch:
        batch.add_column(sa.Column('priority', sa.SmallInteger(), server_default='1', nullable=False))
    table = sa.table('outbound_message', sa.column('kind', sa.String), sa.column('priority', sa.SmallInteger))
    op.execute(table.update().where(table.c.kind.in_(URGENT)).values(priority=0))
    op.execute(table.update().where(table.c.kind.in_(BULK)).values(priority=2))
    op.create_index('ix_outbound_queue', 'outbound_message', ['state', 'priority', 'send_after', 'id'], unique=False)
    op.create_table('send_pace',
    sa.Column('sender', sa.String(length=64), nullable=False),
    sa.Column('tokens', sa.Float(), nullable=False),
    sa.Column('refilled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('slowdown', sa.Float(), nullable=False),
    sa.Column('slow_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('sender', name=op.f('pk_send_pace'))
    )


def downgrade() -> None:
    op.drop_table('send_pace')
    op.drop_index('ix_outbound_queue', table_name='outbound_message')
    with op.batch_alter_table('outbound_message') as batch:
        batch.drop_column('priority')
