"""weekly ritual: the weekly check-in, small wins, weekly ratings, setbacks and the counsellor suggestion

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-08 10:00:00

Every couple keeps its Sunday evening (18:00) as the weekly check-in time; nothing else changes on upgrade.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0008'
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table('couple', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weekly_day', sa.SmallInteger(), nullable=False, server_default='6'))
        batch_op.add_column(sa.Column('weekly_minute', sa.SmallInteger(), nullable=False, server_default='1080'))
        batch_op.add_column(sa.Column('next_win_check_at', UTC, nullable=True))
        batch_op.create_index(batch_op.f('ix_couple_next_win_check_at'), ['next_win_check_at'], unique=False)
    op.create_table('weekly_check_in',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('couple_id', sa.Integer(), nullable=False),
        sa.Column('week_of', sa.Date(), nullable=False),
        sa.Column('revisit', sa.LargeBinary(), nullable=True),
        sa.Column('created_at', UTC, nullable=False),
        sa.ForeignKeyConstraint(['couple_id'], ['couple.id'], name=op.f('fk_weekly_check_in_couple_id_couple')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_weekly_check_in')),
        sa.UniqueConstraint('couple_id', 'week_of', name=op.f('uq_weekly_check_in_couple_id')))
    op.create_index(op.f('ix_weekly_check_in_couple_id'), 'weekly_check_in', ['couple_id'], unique=False)
    op.create_table('weekly_answer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('check_in_id', sa.Integer(), nullable=False),
        sa.Column('partner_id', sa.Integer(), nullable=False),
        sa.Column('step', sa.SmallInteger(), nullable=False),
        sa.Column('text', sa.LargeBinary(), nullable=False),
        sa.Column('visibility', sa.String(length=8), nullable=False),
        sa.Column('seen_at', UTC, nullable=True),
        sa.Column('source_id', sa.String(length=128), nullable=False),
        sa.Column('created_at', UTC, nullable=False),
        sa.ForeignKeyConstraint(['check_in_id'], ['weekly_check_in.id'],
                                name=op.f('fk_weekly_answer_check_in_id_weekly_check_in'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_weekly_answer_partner_id_partner'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_weekly_answer')),
        sa.UniqueConstraint('check_in_id', 'partner_id', 'step', name=op.f('uq_weekly_answer_check_in_id')),
        sa.UniqueConstraint('source_id', name=op.f('uq_weekly_answer_source_id')))
    op.create_index(op.f('ix_weekly_answer_check_in_id'), 'weekly_answer', ['check_in_id'], unique=False)
    op.create_index(op.f('ix_weekly_answer_partner_id'), 'weekly_answer', ['partner_id'], unique=False)
    op.create_table('small_win',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('couple_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=120), nullable=False),
        sa.Column('local_date', sa.Date(), nullable=False),
        sa.Column('created_at', UTC, nullable=False),
        sa.ForeignKeyConstraint(['couple_id'], ['couple.id'], name=op.f('fk_small_win_couple_id_couple')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_small_win')),
        sa.UniqueConstraint('key', 'couple_id', name=op.f('uq_small_win_key')),
        sa.UniqueConstraint('local_date', 'couple_id', name=op.f('uq_small_win_local_date')))
    op.create_index(op.f('ix_small_win_couple_id'), 'small_win', ['couple_id'], unique=False)
    op.create_table('weekly_rating',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('partner_id', sa.Integer(), nullable=False),
        sa.Column('week_of', sa.Date(), nullable=False),
        sa.Column('safe', sa.LargeBinary(), nullable=False),
        sa.Column('trusting', sa.LargeBinary(), nullable=False),
        sa.Column('connected', sa.LargeBinary(), nullable=False),
        sa.Column('source_id', sa.String(length=128), nullable=False),
        sa.Column('created_at', UTC, nullable=False),
        sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_weekly_rating_partner_id_partner'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_weekly_rating')),
        sa.UniqueConstraint('partner_id', 'week_of', name=op.f('uq_weekly_rating_partner_id')),
        sa.UniqueConstraint('source_id', name=op.f('uq_weekly_rating_source_id')))
    op.create_table('setback',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('partner_id', sa.Integer(), nullable=False),
        sa.Column('local_date', sa.Date(), nullable=False),
        sa.Column('pause_until', UTC, nullable=True),
        sa.Column('source_id', sa.String(length=128), nullable=False),
        sa.Column('created_at', UTC, nullable=False),
        sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_setback_partner_id_partner'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_setback')),
        sa.UniqueConstraint('partner_id', 'local_date', name=op.f('uq_setback_partner_id')),
        sa.UniqueConstraint('source_id', name=op.f('uq_setback_source_id')))
    op.create_index(op.f('ix_setback_pause_until'), 'setback', ['pause_until'], unique=False)
    op.create_table('counsellor_suggestion',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('partner_id', sa.Integer(), nullable=False),
        sa.Column('at', UTC, nullable=False),
        sa.ForeignKeyConstraint(['partner_id'], ['partner.id'],
                                name=op.f('fk_counsellor_suggestion_partner_id_partner'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_counsellor_suggestion')))
    op.create_index(op.f('ix_counsellor_suggestion_partner_id'), 'counsellor_suggestion', ['partner_id'],
                    unique=False)


def downgrade() -> None:
    for table in ('counsellor_suggestion', 'setback', 'weekly_rating', 'small_win', 'weekly_answer',
                  'weekly_check_in'):
        op.drop_table(table)
    with op.batch_alter_table('couple', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_couple_next_win_check_at'))
        batch_op.drop_column('next_win_check_at')
        batch_op.drop_column('weekly_minute')
        batch_op.drop_column('weekly_day')
