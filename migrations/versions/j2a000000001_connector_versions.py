"""connector versions: every change to a connector is kept, restorable

Revision ID: j2a000000001
Revises: j5a000000001
Create Date: 2026-11-29 23:00:00

Connectors that exist already get version 1 from their current state, marked
"Recorded when history began." (by whoever changed them last, when they did).
"""

from alembic import op
import sqlalchemy as sa

import webapp.models.base


# revision identifiers, used by Alembic.
revision = "j2a000000001"
down_revision = "j5a000000001"
branch_labels = None
depends_on = None

FIRST_NOTE = "Recorded when history began."

connectors = sa.table(
    "connectors",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("params", sa.JSON),
    sa.column("secret_names", sa.JSON),
    sa.column("inaccessible", sa.Boolean),
    sa.column("disabled", sa.Boolean),
    sa.column("updated_at", webapp.models.base.UTCDateTime),
    sa.column("updated_by_id", sa.Integer),
)
categories = sa.table(
    "connector_categories",
    sa.column("connector_id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("label", sa.String),
    sa.column("colour", sa.String),
    sa.column("position", sa.Integer),
)
users = sa.table("users", sa.column("id", sa.Integer), sa.column("email", sa.String))


def upgrade():
    versions = op.create_table(
        "connector_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("inaccessible", sa.Boolean(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("secret_names", sa.JSON(), nullable=False),
        sa.Column("secrets_changed", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("at", webapp.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_email", sa.String(length=254), nullable=True),
        sa.Column("via", sa.String(length=20), nullable=False),
        sa.Column("restored_from", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_connector_versions_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["connector_id"],
            ["connectors.id"],
            name=op.f("fk_connector_versions_connector_id_connectors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connector_versions")),
        sa.UniqueConstraint("connector_id", "number", name="uq_connector_versions_number"),
    )
    with op.batch_alter_table("connector_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_connector_versions_connector_id"), ["connector_id"], unique=False
        )

    connection = op.get_bind()
    emails = dict(connection.execute(sa.select(users.c.id, users.c.email)).all())
    rows_by_connector = {}
    for row in connection.execute(
        sa.select(categories).order_by(categories.c.connector_id, categories.c.position)
    ):
        rows_by_connector.setdefault(row.connector_id, []).append(
            {"name": row.name, "label": row.label, "colour": row.colour}
        )
    rows = [
        {
            "connector_id": row.id,
            "number": 1,
            "name": row.name,
            "params": row.params or {},
            "categories": rows_by_connector.get(row.id, []),
            "inaccessible": bool(row.inaccessible),
            "disabled": bool(row.disabled),
            "secret_names": sorted(row.secret_names or []),
            "secrets_changed": [],
            "changes": [],
            "at": row.updated_at,
            "actor_id": row.updated_by_id,
            "actor_email": emails.get(row.updated_by_id),
            "via": "migration",
            "note": FIRST_NOTE,
        }
        for row in connection.execute(sa.select(connectors).order_by(connectors.c.id))
    ]
    if rows:
        connection.execute(versions.insert(), rows)


def downgrade():
    with op.batch_alter_table("connector_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_connector_versions_connector_id"))
    op.drop_table("connector_versions")
