"""Database models, one module per aggregate."""

from webapp.models.api_token import ApiToken
from webapp.models.audit import AuditEntry
from webapp.models.connector import Connector, ConnectorCategory, ConnectorVersion
from webapp.models.ticket import DeliveryAttempt, DeliveryWorker, Ticket
from webapp.models.user import User

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Connector",
    "ConnectorCategory",
    "ConnectorVersion",
    "DeliveryAttempt",
    "DeliveryWorker",
    "Ticket",
    "User",
]
