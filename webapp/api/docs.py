"""``/api/docs``: the API reference for people (login required).

The page is Swagger UI (vendored under static/vendor/swagger-ui/) rendering the
OpenAPI document that ``/api/v2/openapi.json`` serves.
"""

from __future__ import annotations

from flask import Blueprint, render_template, url_for

bp = Blueprint("api_docs", __name__)


@bp.get("/api/docs")
def index():
    return render_template("api/docs.html", spec_url=url_for("api.openapi_document"))
