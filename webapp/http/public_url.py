"""The address trackers and people reach this dashboard at, for links they copy."""

from flask import current_app, request


def base_url() -> str:
    """PUBLIC_BASE_URL when set (behind a proxy that rewrites hosts), else this request's."""
    return current_app.config.get("PUBLIC_BASE_URL") or request.url_root.rstrip("/")
