"""a trigram index for the connector search, on PostgreSQL with pg_trgm

Revision ID: k1a000000001
Revises: j1a000000001
Create Date: 2026-11-30 06:00:00

"""
from alembic import op

from webapp.models.search_index import create_name_search_index, drop_name_search_index


# revision identifiers, used by Alembic.
revision = "k1a000000001"
down_revision = "j1a000000001"
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and not create_name_search_index(bind):
        print(
            "Note: pg_trgm is not available to this database user, so the connector "
            "search reads every connector. Install it (CREATE EXTENSION pg_trgm, as a "
            "superuser) and run `flask db downgrade j1a000000001 && flask db upgrade`."
        )


def downgrade():
    drop_name_search_index(op.get_bind())
