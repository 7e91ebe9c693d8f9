"""Database models, one module per aggregate."""

from webapp.models.audit import AuditEntry
from webapp.models.connector import Connector
from webapp.models.user import User

__all__ = ["AuditEntry", "Connector", "User"]
