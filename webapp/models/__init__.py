"""Database models, one module per aggregate."""

from webapp.models.api_token import ApiToken
from webapp.models.audit import AuditEntry
from webapp.models.connector import Connector, ConnectorCategory
from webapp.models.notification import Notification, NotificationChannel
from webapp.models.ticket import DeliveryAttempt, DeliveryWorker, Ticket
from webapp.models.user import User

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Connector",
    "ConnectorCategory",
    "DeliveryAttempt",
    "DeliveryWorker",
    "Notification",
    "NotificationChannel",
    "Ticket",
    "User",
]
