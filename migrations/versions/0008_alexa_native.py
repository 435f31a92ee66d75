"""alexa-native: a partner's Echo choices, Echo reminders of promises, "your partner answered" notices

Revision ID: 0008
Revises: 0007 (re-chained after main's 0007_personal_settings when main was merged; it was 0007 after 0006)
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('echo_preference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('reminder_way', sa.String(length=8), nullable=True),
    sa.Column('notify_answered', sa.Boolean(), nullable=True),
    sa.Column('alexa_user_ref', sa.LargeBinary(), nullable=True),
    sa.Column('api_host', sa.String(length=64), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_echo_preference_partner_id_partner'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_echo_preference')),
    sa.UniqueConstraint('partner_id', name=op.f('uq_echo_preference_partner_id'))
    )
    op.create_table('echo_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('promise_id', sa.Integer(), nullable=True),
    sa.Column('alexa_user_id', sa.LargeBinary(), nullable=False),
    sa.Column('alexa_user_ref', sa.LargeBinary(), nullable=False),
    sa.Column('api_host', sa.String(length=64), nullable=False),
    sa.Column('alert_token', sa.String(length=255), nullable=False),
    sa.Column('remind_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('change', sa.String(length=8), nullable=True),
    sa.Column('messaged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['promise_id'], ['promise.id'], name=op.f('fk_echo_reminder_promise_id_promise'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_echo_reminder')),
    sa.UniqueConstraint('promise_id', name=op.f('uq_echo_reminder_promise_id'))
    )
    with op.batch_alter_table('echo_reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_echo_reminder_alexa_user_id'), ['alexa_user_id'], unique=False)
    op.create_table('answer_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('send_after', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.SmallInteger(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_answer_notice_partner_id_partner'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_notice')),
    sa.UniqueConstraint('partner_id', 'local_date', name=op.f('uq_answer_notice_partner_id'))
    )
    with op.batch_alter_table('answer_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_notice_state'), ['state'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('answer_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_notice_state'))
    op.drop_table('answer_notice')
    with op.batch_alter_table('echo_reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_echo_reminder_alexa_user_id'))
    op.drop_table('echo_reminder')
    op.drop_table('echo_preference')
