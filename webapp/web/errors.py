"""Error pages: HTML for people, JSON under /api/; never a stack trace."""

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from webapp.extensions import db
from webapp.services.errors import Forbidden, NotFound

CSRF_MESSAGE = (
    "This form has expired or did not come from this site. Reload the page and try again."
)


def wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(status: int, title: str, message: str):
    if wants_json():
        return jsonify(detail=message), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def handle_http_error(error: HTTPException):
    message = error.description or ""
    if error.code == 404 and message.startswith("The requested URL was not found"):
        message = "There is nothing at this address."
    body, status = render_error(error.code or 500, error.name, message)
    # Keep the headers the error carries, e.g. Allow on a 405.
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    return body, status, headers


def handle_csrf_error(error: CSRFError):
    return render_error(400, "Form expired", CSRF_MESSAGE)


def handle_unexpected_error(error: InternalServerError):
    # Flask has already logged the original exception with its traceback.
    db.session.rollback()
    return render_error(
        500,
        "Server error",
        "Something went wrong on our side. It has been logged; please try again.",
    )


def handle_service_not_found(error: NotFound):
    return render_error(404, "Not Found", error.message)


def handle_service_forbidden(error: Forbidden):
    return render_error(403, "Forbidden", error.message)


def init_app(app: Flask) -> None:
    app.register_error_handler(NotFound, handle_service_not_found)
    app.register_error_handler(Forbidden, handle_service_forbidden)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_unexpected_error)
