"""Database models, one module per aggregate."""

from webapp.models.api_token import ApiToken
from webapp.models.audit import AuditEntry
from webapp.models.connector import Connector, ConnectorCategory, ConnectorVersion
from webapp.models.discord import DiscordIntegration, DiscordRoute
from webapp.models.notification import Notification, NotificationChannel
from webapp.models.ticket import (
    DeliveryAttempt,
    DeliveryWorker,
    Ticket,
    TicketActivity,
    TicketComment,
)
from webapp.models.user import User
from webapp.models.webhook import ConnectorWebhook, WebhookEvent

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Connector",
    "ConnectorCategory",
    "ConnectorWebhook",
    "ConnectorVersion",
    "DeliveryAttempt",
    "DeliveryWorker",
    "DiscordIntegration",
    "DiscordRoute",
    "Notification",
    "NotificationChannel",
    "Ticket",
    "TicketActivity",
    "TicketComment",
    "User",
    "WebhookEvent",
]
