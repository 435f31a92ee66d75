"""the couple's page: sign-in codes and links, web sessions, consent to a therapist report, the scheduler's
heartbeat

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 10:00:00

New tables only; nothing existing changes.
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_in_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('phone_digest', sa.LargeBinary(length=32), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('handle_digest', sa.LargeBinary(length=32), nullable=False),
    sa.Column('code_digest', sa.LargeBinary(length=32), nullable=True),
    sa.Column('wrong_tries', sa.SmallInteger(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_sign_in_code_partner_id_partner'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_code')),
    sa.UniqueConstraint('handle_digest', name=op.f('uq_sign_in_code_handle_digest'))
    )
    op.create_index('ix_sign_in_code_phone_created', 'sign_in_code', ['phone_digest', 'created_at'], unique=False)
    op.create_index(op.f('ix_sign_in_code_partner_id'), 'sign_in_code', ['partner_id'], unique=False)
    op.create_index(op.f('ix_sign_in_code_expires_at'), 'sign_in_code', ['expires_at'], unique=False)
    op.create_table('web_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_digest', sa.LargeBinary(length=32), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_web_session_partner_id_partner'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_session')),
    sa.UniqueConstraint('token_digest', name=op.f('uq_web_session_token_digest'))
    )
    op.create_index(op.f('ix_web_session_partner_id'), 'web_session', ['partner_id'], unique=False)
    op.create_index(op.f('ix_web_session_last_seen_at'), 'web_session', ['last_seen_at'], unique=False)
    op.create_table('report_consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('couple_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('sections', sa.String(length=120), nullable=False),
    sa.Column('agreed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['couple_id'], ['couple.id'], name=op.f('fk_report_consent_couple_id_couple')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_report_consent_partner_id_partner'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_consent')),
    sa.UniqueConstraint('partner_id', name=op.f('uq_report_consent_partner_id'))
    )
    op.create_index(op.f('ix_report_consent_couple_id'), 'report_consent', ['couple_id'], unique=False)
    op.create_table('scheduler_beat',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduler_beat'))
    )


def downgrade() -> None:
    op.drop_table('scheduler_beat')
    op.drop_index(op.f('ix_report_consent_couple_id'), table_name='report_consent')
    op.drop_table('report_consent')
    op.drop_index(op.f('ix_web_session_last_seen_at'), table_name='web_session')
    op.drop_index(op.f('ix_web_session_partner_id'), table_name='web_session')
    op.drop_table('web_session')
    op.drop_index(op.f('ix_sign_in_code_expires_at'), table_name='sign_in_code')
    op.drop_index(op.f('ix_sign_in_code_partner_id'), table_name='sign_in_code')
    op.drop_index('ix_sign_in_code_phone_created', table_name='sign_in_code')
    op.drop_table('sign_in_code')
