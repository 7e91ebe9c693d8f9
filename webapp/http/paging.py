"""The ``page`` query argument, kept in a range the database can offset by."""

from flask import request

from webapp.ids import parse_int

MAX_PAGE = 100_000


def page_number() -> int:
    """``?page=`` as a number from 1 to MAX_PAGE; anything else is page 1 (a stale or
    hand-edited link shows the first page rather than an error)."""
    return parse_int(request.args.get("page", ""), 1, MAX_PAGE) or 1
