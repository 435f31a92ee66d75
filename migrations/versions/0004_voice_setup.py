"""voice set-up: the pending YES of a set-up started on an Echo, and the reviewer flag on a partner

Revision ID: 0004
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('voice_setup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone_digest', sa.LargeBinary(length=32), nullable=False),
    sa.Column('alexa_user_id', sa.LargeBinary(), nullable=False),
    sa.Column('alexa_person_id', sa.LargeBinary(), nullable=True),
    sa.Column('first_name', sa.LargeBinary(), nullable=True),
    sa.Column('invitee_name', sa.LargeBinary(), nullable=True),
    sa.Column('invitee_phone', sa.LargeBinary(), nullable=True),
    sa.Column('texted', sa.Boolean(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_voice_setup_partner_id_partner'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voice_setup'))
    )
    with op.batch_alter_table('voice_setup', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voice_setup_phone_digest'), ['phone_digest'], unique=False)
        batch_op.create_index(batch_op.f('ix_voice_setup_alexa_user_id'), ['alexa_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_voice_setup_expires_at'), ['expires_at'], unique=False)
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reviewer', sa.Boolean(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.drop_column('reviewer')
    with op.batch_alter_table('voice_setup', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voice_setup_expires_at'))
        batch_op.drop_index(batch_op.f('ix_voice_setup_alexa_user_id'))
        batch_op.drop_index(batch_op.f('ix_voice_setup_phone_digest'))
    op.drop_table('voice_setup')
