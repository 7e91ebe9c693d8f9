"""Sending one notification through Apprise, and learning what the receiver answered.

Apprise speaks to Discord, Slack, Teams, Matrix, e-mail, plain JSON webhooks and more,
but ``notify()`` answers only True or False. A retry policy needs more: the HTTP status
(a 404 webhook will never work; a 500 may) and a 429's ``Retry-After``. Every HTTP
plugin of Apprise sends through ``requests``, so while a send runs in this thread a
*capture* sees each exchange at ``requests.Session.send``: it applies the outbound
deny-list before the request leaves (on every redirect hop too), and notes each answer's
status and ``Retry-After``. The hook is installed once per process and does nothing in
threads that are not sending a notification.

Apprise logs whole service URLs, tokens included, at debug level; a filter on its
logger drops its debug records, masks the URL's pieces in the rest, and keeps this
send's warnings as the reason for a failure.
"""

from __future__ import annotations

import email.utils
import functools
import logging
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from urllib.parse import parse_qsl, unquote, urlsplit

import apprise
import requests

from webapp.log_redaction import MASK
from webapp.outbound import network
from webapp.outbound.http import OutboundSettings
from webapp.outbound.network import OutboundError

URL_MAX_LENGTH = 2000
#: Plugins that act on this machine, not a remote service: never a channel.
LOCAL_SCHEMES = frozenset({"windows", "macosx", "dbus", "qt", "glib", "kde", "gnome", "blink1"})
#: Longest wait a Retry-After may ask for (longer answers are capped).
RETRY_AFTER_MAX_SECONDS = 3600
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]{0,39})://", re.IGNORECASE)
_MIN_SECRET_PIECE = 4

logger = logging.getLogger(__name__)


class ChannelURLError(ValueError):
    """The URL cannot be a notification channel; ``str()`` says why, for a person."""


def scheme_of(url: str) -> str:
    """The URL's scheme, lower-case (ChannelURLError when it has none)."""
    match = _SCHEME.match(url or "")
    if not match:
        raise ChannelURLError(
            "Enter an Apprise URL such as discord://webhook_id/webhook_token or json://host/path."
        )
    return match.group(1).lower()


def check_url(url: str) -> str:
    """Validate ``url`` with Apprise; return its scheme (ChannelURLError says why not).

    The messages never quote the URL: it holds the channel's credentials.
    """
    if len(url) > URL_MAX_LENGTH:
        raise ChannelURLError(f"Use at most {URL_MAX_LENGTH} characters.")
    scheme = scheme_of(url)
    if scheme in LOCAL_SCHEMES or scheme not in _known_schemes():
        raise ChannelURLError(
            f"Apprise does not know the scheme “{scheme}://”. Use one such as discord://, "
            "slack://, workflows:// (Microsoft Teams), matrix://, mailto:// or json://."
        )
    with _quiet_apprise():
        plugin = apprise.Apprise.instantiate(url, asset=_asset(), suppress_exceptions=True)
    if plugin is None:
        raise ChannelURLError(
            f"This {scheme}:// URL is incomplete or malformed: check it against the "
            "Apprise documentation for that service."
        )
    return scheme


@functools.cache
def _known_schemes() -> frozenset[str]:
    schemes: set[str] = set()
    for details in apprise.Apprise().details(show_disabled=False)["schemas"]:
        for key in ("protocols", "secure_protocols"):
            found = details.get(key) or ()
            schemes.update(s.lower() for s in ((found,) if isinstance(found, str) else found))
    return frozenset(schemes)


def _asset() -> apprise.AppriseAsset:
    # Memory only: Apprise must not write caches (rate limits, tokens) to disk.
    return apprise.AppriseAsset(storage_mode="memory")


def secret_pieces(url: str) -> list[str]:
    """The parts of ``url`` that may be credentials: user, password, host (a Discord
    webhook id), path segments and query values; whole, at least 4 characters long."""
    try:
        parts = urlsplit(url)
        candidates = [parts.username, parts.password, parts.hostname]
    except ValueError:
        parts, candidates = urlsplit(""), []
    candidates += parts.path.split("/") + [value for _, value in parse_qsl(parts.query)]
    pieces = {unquote(c) for c in candidates if c} | {c for c in candidates if c}
    return sorted((p for p in pieces if len(p) >= _MIN_SECRET_PIECE), key=len, reverse=True)


def mask_pieces(text: str, pieces: list[str]) -> str:
    for piece in pieces:
        text = text.replace(piece, MASK)
    return text


@dataclass
class Exchange:
    """One HTTP request a plugin made: its answer's status, or the error instead."""

    status: int | None = None
    retry_after: float | None = None
    error: str | None = None


@dataclass
class SendResult:
    """What happened: ``ok``; else the last HTTP status (if any), the receiver's
    ``Retry-After`` in seconds, whether nothing left because the address is denied, and
    a message for people with the URL's pieces masked."""

    ok: bool
    http_status: int | None = None
    retry_after: float | None = None
    refused: bool = False
    message: str = ""
    exchanges: list[Exchange] = field(default_factory=list)


class _Capture:
    def __init__(self, settings: OutboundSettings, pieces: list[str], quiet: bool = False) -> None:
        self.settings = settings
        self.quiet = quiet
        self.pieces = pieces
        self.exchanges: list[Exchange] = []
        self.refusal: str | None = None
        self.warnings: list[str] = []

    def check(self, url: str) -> None:
        try:
            endpoint = network.Endpoint.from_url(url)
            network.allowed_addresses(
                endpoint.host,
                endpoint.port,
                self.settings.deny_networks,
                self.settings.allow_networks,
            )
        except (OutboundError, ValueError) as error:
            self.refusal = mask_pieces(str(error), self.pieces)
            raise requests.ConnectionError(self.refusal) from None


_local = threading.local()
_install_lock = threading.Lock()
_installed = False


def _capturing_send(original):
    def send(session: requests.Session, request: requests.PreparedRequest, **kwargs):
        capture: _Capture | None = getattr(_local, "capture", None)
        if capture is None:
            return original(session, request, **kwargs)
        capture.check(request.url or "")
        kwargs["timeout"] = capture.settings.timeout
        try:
            response = original(session, request, **kwargs)
        except requests.RequestException as error:
            capture.exchanges.append(Exchange(error=type(error).__name__))
            raise
        capture.exchanges.append(
            Exchange(response.status_code, retry_after_seconds(response.headers.get("Retry-After")))
        )
        return response

    send.__connector_desk_capture__ = True  # type: ignore[attr-defined]
    return send


class _UrlMaskingFilter(logging.Filter):
    """On urllib3's connection pool logger, whose debug lines quote request paths (a
    Discord webhook's token is one): the sending channel's URL pieces masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        capture: _Capture | None = getattr(_local, "capture", None)
        if capture is not None and capture.pieces:
            record.msg, record.args = mask_pieces(record.getMessage(), capture.pieces), None
        return True


class _AppriseLogFilter(logging.Filter):
    """On Apprise's logger: no debug records (they quote URLs and payloads); the rest
    with the sending channel's URL pieces masked, and kept as the send's warnings."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO:
            return False
        capture: _Capture | None = getattr(_local, "capture", None)
        if capture is None:
            return True
        if capture.quiet:
            return False
        message = mask_pieces(record.getMessage(), capture.pieces)
        record.msg, record.args = message, None
        if record.levelno >= logging.WARNING:
            capture.warnings.append(message)
        return True


def install() -> None:
    """Put the capture hook on requests and the filter on Apprise's logger (once)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        if not getattr(requests.Session.send, "__connector_desk_capture__", False):
            requests.Session.send = _capturing_send(requests.Session.send)  # type: ignore[method-assign]
        logging.getLogger("apprise").addFilter(_AppriseLogFilter())
        logging.getLogger("urllib3.connectionpool").addFilter(_UrlMaskingFilter())
        _installed = True


class _quiet_apprise:
    """Validation only: Apprise's complaints about a URL would quote it."""

    def __enter__(self) -> None:
        install()
        _local.capture = _Capture(OutboundSettings(), [], quiet=True)

    def __exit__(self, *exc: object) -> None:
        _local.capture = None


def send(url: str, title: str, body: str, settings: OutboundSettings) -> SendResult:
    """Send one notification to ``url`` in this thread, within the outbound settings."""
    install()
    capture = _Capture(settings, secret_pieces(url))
    _local.capture = capture  # before instantiating: its complaints are masked too
    try:
        plugin = apprise.Apprise.instantiate(url, asset=_asset(), suppress_exceptions=True)
        if plugin is None:
            return SendResult(False, refused=True, message="The channel's URL is no longer valid.")
        plugin.socket_connect_timeout = settings.connect_timeout
        plugin.socket_read_timeout = settings.read_timeout
        ok = bool(plugin.notify(body=body, title=title))
    except Exception as error:  # a plugin bug must not end the worker's pass
        logger.warning("Apprise %s plugin raised %s", scheme_of(url), type(error).__name__)
        ok = False
        capture.warnings.append(f"The {scheme_of(url)} plugin failed ({type(error).__name__}).")
    finally:
        _local.capture = None
    return _result(ok, capture)


def _result(ok: bool, capture: _Capture) -> SendResult:
    last = capture.exchanges[-1] if capture.exchanges else None
    status = last.status if last else None
    if ok:
        return SendResult(True, status, exchanges=capture.exchanges)
    if capture.refusal:
        message = capture.refusal
    elif status is not None:
        message = f"The receiver answered {status} {_phrase(status)}".rstrip() + "."
    elif last is not None and last.error:
        message = f"The receiver could not be reached ({last.error})."
    else:
        message = capture.warnings[-1] if capture.warnings else "Apprise could not send it."
    return SendResult(
        False,
        status,
        last.retry_after if last else None,
        refused=capture.refusal is not None,
        message=message[:500],
        exchanges=capture.exchanges,
    )


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds from now: a number, or an HTTP date; None if absent or
    unreadable; at most RETRY_AFTER_MAX_SECONDS."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), float(RETRY_AFTER_MAX_SECONDS))
