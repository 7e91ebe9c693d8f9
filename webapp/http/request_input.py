"""Input no database can store, refused where it enters: a 400 with a message, never a 500.

PostgreSQL text cannot hold a NUL character, and no encoding can store a lone UTF-16
surrogate (JSON's ``"\\ud800"``). Each way in is checked once:

- query strings and headers, here, before any view runs;
- form fields, by the shared form base (``webapp.web.forms.BaseForm``), so that the
  message sits beside the field and nothing typed is lost; the request is still
  answered 400 (see ``answer_400_after_refused_form``);
- JSON bodies, by ``webapp.api.bodies.json_object``.

Whole numbers in URLs and query strings are range-checked by ``webapp.ids``.
"""

from __future__ import annotations

import re

from flask import Flask, Response, abort, g, request

from webapp.ids import parse_id

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable_text_message(text: str) -> str | None:
    """Why ``text`` cannot be stored (its first bad character), or None if it can."""
    match = UNSTORABLE.search(text)
    if match is None:
        return None
    character = match.group()
    what = "a NUL character" if character == "\x00" else "an unpaired surrogate"
    return f"Remove {what} (U+{ord(character):04X}): it cannot be stored."


def printable(text: str) -> str:
    """``text`` with unstorable characters written as escapes, to name it in a message."""
    return UNSTORABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def refuse_unstorable_args_and_headers() -> None:
    """Answer 400 when a query parameter (its name or a value) or a header cannot be stored."""
    for name, value in request.args.items(multi=True):
        problem = unstorable_text_message(name) or unstorable_text_message(value)
        if problem:
            abort(400, f"The query parameter “{printable(name)}” is not valid. {problem}")
    # Headers too: some are stored (Idempotency-Key) and servers differ in what they let by.
    for name, value in request.headers.items():
        problem = unstorable_text_message(value)
        if problem:
            abort(400, f"The header “{name}” is not valid. {problem}")


def form_refused_input() -> None:
    """Note that a form refused unstorable input in this request (see below)."""
    g.form_refused_input = True


def answer_400_after_refused_form(response: Response) -> Response:
    # The form page shows the message beside the field; the status tells scripts that
    # the request was refused. htmx fragments stay 200: htmx does not swap in 4xx.
    if (
        g.get("form_refused_input")
        and response.status_code == 200
        and request.headers.get("HX-Request") != "true"
    ):
        response.status_code = 400
    return response


def query_id(name: str) -> int | None:
    """``?name=`` as a row id; None when absent or blank, 400 when not an id."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    value = parse_id(raw)
    if value is None:
        abort(400, f"The query parameter “{name}” must be an id (a whole number from 1).")
    return value


def init_app(app: Flask) -> None:
    app.before_request(refuse_unstorable_args_and_headers)
    app.after_request(answer_400_after_refused_form)
