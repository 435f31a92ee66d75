"""pact and apology: a couple's agreements with their versions, and guided apologies

Revision ID: 0009
Revises: 0011
Create Date: 2026-12-08 10:00:00

New tables only; nothing existing changes.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pact_agreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('couple_id', sa.Integer(), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['couple_id'], ['couple.id'], name=op.f('fk_pact_agreement_couple_id_couple')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pact_agreement'))
    )
    with op.batch_alter_table('pact_agreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pact_agreement_couple_id'), ['couple_id'], unique=False)
    op.create_table('pact_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=8), nullable=False),
    sa.Column('text', sa.LargeBinary(), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('voice_told_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('source_id', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['agreement_id'], ['pact_agreement.id'],
                            name=op.f('fk_pact_version_agreement_id_pact_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['partner.id'], name=op.f('fk_pact_version_decided_by_id_partner'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['partner.id'],
                            name=op.f('fk_pact_version_proposed_by_id_partner'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pact_version')),
    sa.UniqueConstraint('source_id', name=op.f('uq_pact_version_source_id'))
    )
    with op.batch_alter_table('pact_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pact_version_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pact_version_proposed_by_id'), ['proposed_by_id'], unique=False)
    op.create_table('apology',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=True),
    sa.Column('what_i_did', sa.LargeBinary(), nullable=True),
    sa.Column('how_it_affected_you', sa.LargeBinary(), nullable=True),
    sa.Column('what_i_will_change', sa.LargeBinary(), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('step', sa.SmallInteger(), nullable=False),
    sa.Column('held_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('heard_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('response', sa.String(length=10), nullable=True),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('became', sa.String(length=8), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['partner.id'], name=op.f('fk_apology_author_id_partner'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recipient_id'], ['partner.id'], name=op.f('fk_apology_recipient_id_partner'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apology'))
    )
    with op.batch_alter_table('apology', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apology_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_apology_recipient_id'), ['recipient_id'], unique=False)


def downgrade() -> None:
    op.drop_table('apology')
    op.drop_table('pact_version')
    op.drop_table('pact_agreement')
