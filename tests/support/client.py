"""A test client that submits forms the way a browser does: with their CSRF token."""

from __future__ import annotations

import re

from flask import has_app_context
from flask.testing import FlaskClient

from webapp.extensions import db

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class FormClient(FlaskClient):
    """Each request runs in its own app context, as in production.

    Otherwise requests would share the test's context, its ``g`` (where Flask-Login caches
    the user) and its database session, and hide bugs. After a request, the test's own
    session forgets what it loaded, so assertions see what the request committed.
    """

    _csrf_token: str | None = None

    def open(self, *args, **kwargs):
        outer_context = has_app_context()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if outer_context:
            db.session.expire_all()
        return response

    def csrf_token(self) -> str:
        """The session's CSRF token, read from a page like a browser would see it."""
        if self._csrf_token is None:
            for page in ("/login", "/account"):
                match = CSRF_META.search(self.get(page).get_data(as_text=True))
                if match:
                    self._csrf_token = match.group(1)
                    break
            else:
                raise AssertionError("no page showed a CSRF token")
        return self._csrf_token

    def submit(self, url: str, data: dict | None = None, **kwargs):
        """POST a form with the CSRF token included."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)
