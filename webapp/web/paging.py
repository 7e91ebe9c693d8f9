"""The ``page`` query argument, kept in a range the database can offset by."""

from flask import request

MAX_PAGE = 100_000


def page_number() -> int:
    """``?page=`` as a number from 1 to MAX_PAGE (anything else is page 1 or the last)."""
    page = request.args.get("page", 1, type=int)
    return min(max(page, 1), MAX_PAGE)
