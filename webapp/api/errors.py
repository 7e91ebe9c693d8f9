"""JSON errors for the API: ``{"detail": …}``, plus ``errors`` by field for bad input.

HTTP errors raised by routing (404, 405) and by Werkzeug (413) are answered by the
app-wide handlers in ``webapp.web.errors``, which already speak JSON under /api/;
here are the errors only the API raises.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Response, jsonify

from webapp.api import bp
from webapp.services.connectors import StaleEdit
from webapp.services.errors import Forbidden, NotFound, ServiceError, ValidationFailed

INVALID_INPUT = "Invalid input."
STALE_MESSAGE = (
    "The connector changed since you read it (it is now at version {version}). "
    "Fetch it again and reapply your changes."
)


def api_error(
    status: int,
    detail: str,
    errors: Mapping[str, list[str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A JSON error response; ``errors`` maps field paths (``params.x``) to messages."""
    body: dict = {"detail": detail}
    if errors:
        body["errors"] = dict(errors)
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    return response


@bp.errorhandler(ServiceError)
def handle_service_error(error: ServiceError) -> Response:
    # Registered on the blueprint, this handler also sees NotFound and Forbidden,
    # which the app answers as 404 and 403 too.
    if isinstance(error, ValidationFailed):
        return api_error(400, INVALID_INPUT, error.errors)
    if isinstance(error, StaleEdit):
        return api_error(412, STALE_MESSAGE.format(version=error.connector.version))
    if isinstance(error, NotFound) and error.field is None:
        return api_error(404, error.message)
    if isinstance(error, Forbidden):
        return api_error(403, error.message)
    # A rule about one input, e.g. an unknown system id in the body.
    return api_error(400, error.message, {error.field: [error.message]} if error.field else None)
