"""Database models, one module per aggregate."""

from webapp.models.user import User

__all__ = ["User"]
