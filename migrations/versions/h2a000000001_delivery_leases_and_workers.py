"""delivery leases: claim numbers (fencing tokens) and delivery worker heartbeats

Revision ID: h2a000000001
Revises: db758b96ac62
Create Date: 2026-11-29 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import webapp.models.base


# revision identifiers, used by Alembic.
revision = 'h2a000000001'
down_revision = 'db758b96ac62'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('claim_number', sa.Integer(), server_default='0', nullable=False)
        )
    op.create_table(
        'delivery_workers',
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('started_at', webapp.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('seen_at', webapp.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('interval_seconds', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_delivery_workers')),
    )
    with op.batch_alter_table('delivery_workers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_workers_seen_at'), ['seen_at'], unique=False)


def downgrade():
    with op.batch_alter_table('delivery_workers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_workers_seen_at'))
    op.drop_table('delivery_workers')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_column('claim_number')
