"""discord integration: settings, server/channel routes and ticket reporters

Revision ID: j7a000000001
Revises: i0a000000001
Create Date: 2026-11-29 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import webapp.models.base


# revision identifiers, used by Alembic.
revision = 'j7a000000001'
down_revision = 'i0a000000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('discord_integrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.String(length=30), nullable=False),
    sa.Column('public_key', sa.String(length=64), nullable=False),
    sa.Column('secrets_ciphertext', sa.Text(), nullable=True),
    sa.Column('allowed_role_ids', sa.JSON(), nullable=False),
    sa.Column('default_connector_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', webapp.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['default_connector_id'], ['connectors.id'], name=op.f('fk_discord_integrations_default_connector_id_connectors'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discord_integrations'))
    )
    op.create_table('discord_routes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('integration_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('discord_id', sa.String(length=30), nullable=False),
    sa.Column('connector_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['connector_id'], ['connectors.id'], name=op.f('fk_discord_routes_connector_id_connectors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['integration_id'], ['discord_integrations.id'], name=op.f('fk_discord_routes_integration_id_discord_integrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discord_routes')),
    sa.UniqueConstraint('integration_id', 'kind', 'discord_id', name=op.f('uq_discord_routes_integration_id'))
    )
    with op.batch_alter_table('discord_routes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discord_routes_connector_id'), ['connector_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_discord_routes_integration_id'), ['integration_id'], unique=False)

    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reporter_source', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('reporter_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('reporter_name', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_column('reporter_name')
        batch_op.drop_column('reporter_id')
        batch_op.drop_column('reporter_source')

    with op.batch_alter_table('discord_routes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discord_routes_integration_id'))
        batch_op.drop_index(batch_op.f('ix_discord_routes_connector_id'))

    op.drop_table('discord_routes')
    op.drop_table('discord_integrations')
