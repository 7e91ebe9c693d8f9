"""Errors that services raise for callers to show to a person."""

from __future__ import annotations


class ServiceError(Exception):
    """A rule was broken; ``field`` names the input it concerns, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationFailed(ServiceError):
    """Several fields are wrong at once: ``errors`` maps field names to messages."""

    def __init__(
        self, errors: dict[str, list[str]], message: str = "Please correct the errors below."
    ) -> None:
        super().__init__(message)
        self.errors = errors


class NotFound(ServiceError):
    pass


class Forbidden(ServiceError):
    pass
