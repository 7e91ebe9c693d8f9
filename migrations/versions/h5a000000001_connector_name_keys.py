"""connector name keys: names normalised and unique in any case

Revision ID: h5a000000001
Revises: h2a000000001
Create Date: 2026-11-29 20:30:00

Existing names are normalised (webapp.names). Where two names now mean the same,
the first keeps it and the others get " (2)", " (3)", ...; every renamed connector gets
an audit entry saying what it was called before.
"""

from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa

import webapp.models.base
from webapp.names import name_key, normalise_name


# revision identifiers, used by Alembic.
revision = "h5a000000001"
down_revision = "h2a000000001"
branch_labels = None
depends_on = None

NAME_MAX_LENGTH = 100
RENAME_REASON = (
    "Connector names are now unique regardless of case, spacing and invisible characters."
)

connectors = sa.table(
    "connectors",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("name_key", sa.String),
)
audit_entries = sa.table(
    "audit_entries",
    sa.column("at", webapp.models.base.UTCDateTime),
    sa.column("action", sa.String),
    sa.column("target_type", sa.String),
    sa.column("target_id", sa.Integer),
    sa.column("target_name", sa.String),
    sa.column("details", sa.JSON),
)


def new_names(rows):
    """{id: (name, key)} for every connector; names already in normal form win a clash."""
    normal = {
        row_id: normalise_name(name)[:NAME_MAX_LENGTH].rstrip() or f"Connector {row_id}"
        for row_id, name in rows
    }
    every_key = {name_key(name) for name in normal.values()}
    taken, result = set(), {}
    # Clean names first (so that no row is renamed to a name another row still has),
    # then by id: the oldest connector keeps a name.
    for row_id, _ in sorted(rows, key=lambda row: (normal[row[0]] != row[1], row[0])):
        base = new = normal[row_id]
        number = 2
        # A suffixed name must not be any connector's name either.
        while name_key(new) in taken or (new != base and name_key(new) in every_key):
            suffix = f" ({number})"
            new = base[: NAME_MAX_LENGTH - len(suffix)].rstrip() + suffix
            number += 1
        taken.add(name_key(new))
        result[row_id] = (new, name_key(new))
    return result


def upgrade():
    with op.batch_alter_table("connectors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(length=400), nullable=True))

    connection = op.get_bind()
    rows = [tuple(row) for row in connection.execute(sa.select(connectors.c.id, connectors.c.name))]
    old_names, now = dict(rows), datetime.now(UTC)
    for row_id, (new, key) in new_names(rows).items():
        old = old_names[row_id]
        connection.execute(
            connectors.update().where(connectors.c.id == row_id).values(name=new, name_key=key)
        )
        if new != old:
            connection.execute(
                audit_entries.insert().values(
                    at=now,
                    action="connector.rename",
                    target_type="connector",
                    target_id=row_id,
                    target_name=new,
                    details={"old_name": old, "reason": RENAME_REASON},
                )
            )

    with op.batch_alter_table("connectors", schema=None) as batch_op:
        batch_op.alter_column("name_key", existing_type=sa.String(length=400), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_connectors_name_key"), ["name_key"])


def downgrade():
    with op.batch_alter_table("connectors", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_connectors_name_key"), type_="unique")
        batch_op.drop_column("name_key")
