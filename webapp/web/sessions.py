"""Session cookies that are marked Secure whenever the request came over https."""

from flask import request
from flask.sessions import SecureCookieSessionInterface


class SecureWhenHttpsSessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)
