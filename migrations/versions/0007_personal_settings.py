"""personal settings: pause, quiet hours, thinking texts and role per partner; SKIP and gentle questions;
the kept-promise thanks replaces the partner's yes/no confirmation

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 11:30:00

Each partner starts with their couple's quiet hours and pause, so nothing changes for anyone on upgrade.
The partner-confirms-kept columns are dropped with their data: a yes/no verdict on the other is not kept.
Automatic "thinking about you" sending is dropped too (never affection in someone's name): its flag goes, and
any such text still queued is cancelled.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quiet_start', sa.SmallInteger(), nullable=False, server_default='21'))
        batch_op.add_column(sa.Column('quiet_end', sa.SmallInteger(), nullable=False, server_default='8'))
        batch_op.add_column(sa.Column('paused', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('takes_thinking', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('role', sa.String(length=10), nullable=False, server_default='unsaid'))
        batch_op.drop_column('confirm_kept')
        batch_op.drop_column('auto_thinking')  # no automated affection: a moment is only ever an offer
    op.execute("UPDATE outbound_message SET state = 'cancelled' WHERE kind = 'thinking_auto' AND state = 'queued'")
    op.execute("UPDATE partner SET quiet_start = (SELECT quiet_start FROM couple WHERE couple.id = partner.couple_id),"
               " quiet_end = (SELECT quiet_end FROM couple WHERE couple.id = partner.couple_id),"
               " paused = (SELECT paused FROM couple WHERE couple.id = partner.couple_id)")
    with op.batch_alter_table('couple', schema=None) as batch_op:
        batch_op.drop_column('quiet_start')
        batch_op.drop_column('quiet_end')
        batch_op.drop_column('paused')
    with op.batch_alter_table('promise', schema=None) as batch_op:
        batch_op.drop_constraint('fk_promise_confirmed_by_id_partner', type_='foreignkey')
        batch_op.drop_column('confirmed_by_id')
        batch_op.drop_column('partner_confirmed')
        batch_op.add_column(sa.Column('wants_thanks', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('thanked_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('daily_prompt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('skipped', sa.String(length=400), nullable=False, server_default=''))
    op.execute("UPDATE partner SET awaiting = NULL, awaiting_ref = NULL, awaiting_until = NULL"
               " WHERE awaiting = 'confirm_kept'")
    op.create_table('gentle_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_gentle_question_partner_id_partner'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gentle_question')),
    sa.UniqueConstraint('partner_id', 'local_date', name=op.f('uq_gentle_question_partner_id'))
    )


def downgrade() -> None:
    op.drop_table('gentle_question')
    with op.batch_alter_table('daily_prompt', schema=None) as batch_op:
        batch_op.drop_column('skipped')
    with op.batch_alter_table('promise', schema=None) as batch_op:
        batch_op.drop_column('thanked_at')
        batch_op.drop_column('wants_thanks')
        batch_op.add_column(sa.Column('partner_confirmed', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('confirmed_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_promise_confirmed_by_id_partner', 'partner', ['confirmed_by_id'], ['id'],
                                    ondelete='SET NULL')
    with op.batch_alter_table('couple', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quiet_start', sa.SmallInteger(), nullable=False, server_default='21'))
        batch_op.add_column(sa.Column('quiet_end', sa.SmallInteger(), nullable=False, server_default='8'))
        batch_op.add_column(sa.Column('paused', sa.Boolean(), nullable=False, server_default=sa.false()))
    # The couple gets its first partner's settings back (a couple had one set).
    first = "(SELECT {col} FROM partner WHERE partner.couple_id = couple.id ORDER BY partner.id LIMIT 1)"
    op.execute("UPDATE couple SET " + ", ".join(f"{col} = COALESCE({first.format(col=col)}, {col})"
                                                for col in ("quiet_start", "quiet_end", "paused")))
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirm_kept', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('auto_thinking', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.drop_column('role')
        batch_op.drop_column('takes_thinking')
        batch_op.drop_column('paused')
        batch_op.drop_column('quiet_end')
        batch_op.drop_column('quiet_start')
