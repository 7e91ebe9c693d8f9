"""The ``page`` query argument, kept in a range the database can offset by."""

from collections.abc import Callable
from typing import Any

from flask import current_app, request

from webapp.extensions import db
from webapp.ids import parse_int

MAX_PAGE = 100_000
#: The most rows one API page may hold (``?page_size=``).
MAX_PAGE_SIZE = 500


def page_number() -> int:
    """``?page=`` as a number from 1 to MAX_PAGE; anything else is page 1 (a stale or
    hand-edited link shows the first page rather than an error)."""
    return parse_int(request.args.get("page", ""), 1, MAX_PAGE) or 1


def page_size(default: int) -> int:
    """``?page_size=`` as a number from 1 to MAX_PAGE_SIZE; anything else is ``default``."""
    return parse_int(request.args.get("page_size", ""), 1, MAX_PAGE_SIZE) or default


def page_of(
    query, to_dict: Callable[[Any], dict[str, Any]], per_page: int | None = None
) -> dict[str, Any]:
    """One page (``?page=``; ``?page_size=`` rows, else ``per_page``, else PER_PAGE) of
    ``query`` as the API lists answer: ``results``, ``count``, ``page`` and ``pages``."""
    size = page_size(per_page or current_app.config["PER_PAGE"])
    page = db.paginate(query, page=page_number(), per_page=size, error_out=False)
    return {
        "results": [to_dict(row) for row in page.items],
        "count": page.total,
        "page": page.page,
        "pages": page.pages,
    }
