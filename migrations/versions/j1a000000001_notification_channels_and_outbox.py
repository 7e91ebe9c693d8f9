"""notification channels and the notification outbox

Revision ID: j1a000000001
Revises: j2a000000001
Create Date: 2026-11-29 23:00:00

"""
from alembic import op
import sqlalchemy as sa

import webapp.models.base


# revision identifiers, used by Alembic.
revision = "j1a000000001"
down_revision = "j2a000000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notification_channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_key", sa.String(length=400), nullable=False),
        sa.Column("url_ciphertext", sa.Text(), nullable=False),
        sa.Column("scheme", sa.String(length=40), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("all_connectors", sa.Boolean(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", webapp.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", webapp.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"],
            name=op.f("fk_notification_channels_created_by_id_users"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"],
            name=op.f("fk_notification_channels_updated_by_id_users"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_channels")),
        sa.UniqueConstraint("name_key", name=op.f("uq_notification_channels_name_key")),
    )
    op.create_table(
        "notification_channel_connectors",
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["notification_channels.id"],
            name=op.f("fk_notification_channel_connectors_channel_id_notification_channels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["connector_id"], ["connectors.id"],
            name=op.f("fk_notification_channel_connectors_connector_id_connectors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "channel_id", "connector_id", name=op.f("pk_notification_channel_connectors")
        ),
    )
    with op.batch_alter_table("notification_channel_connectors", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notification_channel_connectors_connector_id"),
            ["connector_id"], unique=False,
        )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("dedupe_key", sa.String(length=255), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", webapp.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_until", webapp.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claim_number", sa.Integer(), server_default="0", nullable=False),
        sa.Column("sending_since", webapp.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("created_at", webapp.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", webapp.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["notification_channels.id"],
            name=op.f("fk_notifications_channel_id_notification_channels"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["connector_id"], ["connectors.id"],
            name=op.f("fk_notifications_connector_id_connectors"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"],
            name=op.f("fk_notifications_ticket_id_tickets"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint(
            "channel_id", "event", "dedupe_key", name="uq_notifications_dedupe"
        ),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notifications_channel_id"), ["channel_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notifications_connector_id"), ["connector_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_notifications_next_attempt_at"), ["next_attempt_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_notifications_status"), ["status"], unique=False)


def downgrade():
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_status"))
        batch_op.drop_index(batch_op.f("ix_notifications_next_attempt_at"))
        batch_op.drop_index(batch_op.f("ix_notifications_connector_id"))
        batch_op.drop_index(batch_op.f("ix_notifications_channel_id"))
    op.drop_table("notifications")
    with op.batch_alter_table("notification_channel_connectors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_channel_connectors_connector_id"))
    op.drop_table("notification_channel_connectors")
    op.drop_table("notification_channels")
