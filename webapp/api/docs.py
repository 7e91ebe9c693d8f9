"""``/api/docs``: the OpenAPI document as a page for people (login required)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, render_template

from webapp.api.openapi import openapi

bp = Blueprint("api_docs", __name__)
METHODS = ("get", "post", "patch", "put", "delete")


def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=False)


def operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation with its path, method and the schemas a reader needs."""
    found = []
    for path, item in document["paths"].items():
        shared = item.get("parameters", [])
        for method in METHODS:
            if method not in item:
                continue
            operation = item[method]
            body = operation.get("requestBody", {}).get("content", {})
            found.append(
                {
                    "path": path,
                    "method": method.upper(),
                    "id": operation["operationId"],
                    "summary": operation["summary"],
                    "public": operation.get("security") == [],
                    "parameters": [*shared, *operation.get("parameters", [])],
                    "request": pretty(body["application/json"]["schema"]) if body else None,
                    "responses": {
                        status: (
                            pretty(response["content"]["application/json"]["schema"])
                            if "content" in response
                            else None,
                            response["description"],
                        )
                        for status, response in operation["responses"].items()
                    },
                }
            )
    return found


@bp.get("/api/docs")
def index():
    document = openapi()
    schemas = {name: pretty(s) for name, s in document["components"]["schemas"].items()}
    return render_template(
        "api/docs.html",
        document=document,
        operations=operations(document),
        schemas=schemas,
        server=document["servers"][0]["url"],
    )
