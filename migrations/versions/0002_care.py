"""care and safety: answer visibility, erasure state, per-number guards, invitations

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 11:14:50.673255
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('phone_guard',
    sa.Column('digest', sa.LargeBinary(length=32), nullable=False),
    sa.Column('do_not_contact_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('invited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('link_failures', sa.SmallInteger(), nullable=False),
    sa.Column('link_failed_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('link_locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reply_window_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('replies_in_window', sa.Integer(), nullable=False),
    sa.Column('safety_reply_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_phone_guard'))
    )
    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('couple_id', sa.Integer(), nullable=False),
    sa.Column('inviter_id', sa.Integer(), nullable=True),
    sa.Column('invitee_id', sa.Integer(), nullable=True),
    sa.Column('phone_digest', sa.LargeBinary(length=32), nullable=False),
    sa.Column('invitee_name', sa.LargeBinary(), nullable=False),
    sa.Column('sent', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['couple_id'], ['couple.id'], name=op.f('fk_invitation_couple_id_couple')),
    sa.ForeignKeyConstraint(['invitee_id'], ['partner.id'], name=op.f('fk_invitation_invitee_id_partner'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['inviter_id'], ['partner.id'], name=op.f('fk_invitation_inviter_id_partner'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation'))
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_couple_id'), ['couple_id'], unique=False)
        batch_op.create_index('ix_invitation_due', ['state', 'expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitation_inviter_id'), ['inviter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitation_phone_digest'), ['phone_digest'], unique=False)

    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visibility', sa.String(length=8), nullable=False, server_default='shared'))
        batch_op.add_column(sa.Column('seen_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.drop_column('erased_at')

    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.drop_column('seen_at')
        batch_op.drop_column('visibility')

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_phone_digest'))
        batch_op.drop_index('ix_invitation_due')
        batch_op.drop_index(batch_op.f('ix_invitation_inviter_id'))
        batch_op.drop_index(batch_op.f('ix_invitation_couple_id'))

    op.drop_table('invitation')
    op.drop_table('phone_guard')
