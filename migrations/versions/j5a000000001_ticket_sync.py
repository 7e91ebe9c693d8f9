"""ticket sync: when a ticket's issue may be polled next, and why the last poll failed

Revision ID: j5a000000001
Revises: j4a000000001
Create Date: 2026-11-29 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import webapp.models.base


# revision identifiers, used by Alembic.
revision = 'j5a000000001'
down_revision = 'j4a000000001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tracker_sync_after', webapp.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('tracker_sync_failures', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('tracker_sync_error', sa.String(length=500), nullable=True))
        batch_op.create_index(batch_op.f('ix_tickets_tracker_sync_after'), ['tracker_sync_after'], unique=False)


def downgrade():
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tickets_tracker_sync_after'))
        batch_op.drop_column('tracker_sync_error')
        batch_op.drop_column('tracker_sync_failures')
        batch_op.drop_column('tracker_sync_after')
