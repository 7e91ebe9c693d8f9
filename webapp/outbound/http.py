"""The one place every request to an issue tracker goes through.

Why one place: timeouts, the ``User-Agent``, certificate checks, the network
deny-list and what happens to credentials on a redirect are security and
reliability rules, not per-tracker choices.  ``TrackerHTTP`` applies all of
them on every call, so a client cannot forget one.

Deliberate choices:
- Redirects are followed here, not by ``requests``, so every hop is checked
  against the deny-list and loses ``Authorization``, ``PRIVATE-TOKEN`` and
  cookies when it leaves the host (or downgrades https to http).
- ``trust_env`` is off: no proxy variables and no ``~/.netrc`` credentials
  sneak into tracker requests.  The CA bundle named by ``REQUESTS_CA_BUNDLE``
  or ``CURL_CA_BUNDLE`` is still honoured, explicitly, through ``ca_file``.
- Cookies are never stored: trackers are called with tokens, and a cookie jar
  would be state shared between requests that nobody asked for.
- Each host and port is vetted once per ``TrackerHTTP`` (one check, one delivery):
  the first request to it resolves the name and applies the deny-list; a
  redirect to another host or port is vetted before it is followed.
- Known limit: the deny-list is checked on the addresses resolved for that
  first request; a tracker's DNS that changes its answer afterwards (DNS
  rebinding) is not caught.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from http.cookiejar import DefaultCookiePolicy
from typing import Any, Self

import requests

from webapp.about import __version__
from webapp.outbound import handover, network
from webapp.outbound.network import IPNetwork, OutboundError

DEFAULT_DENY_NETWORKS = ("169.254.0.0/16", "fe80::/10")
CREDENTIAL_HEADERS = ("Authorization", "PRIVATE-TOKEN", "Cookie", "Proxy-Authorization")


def _default_user_agent() -> str:
    return f"ConnectorDesk/{__version__}"


@dataclass(frozen=True)
class OutboundSettings:
    """How Connector Desk talks to trackers: timeouts, identity, trust and reach.

    ``deny_networks`` / ``allow_networks`` accept strings or networks and are
    stored parsed; an address in an allowed network is never denied.
    ``verify_tls`` is set per connector by the tracker client from the
    connector's own ``issue_tracker_validate_cert``: certificate checks can
    only be turned off connector by connector.  ``ca_bundle`` names extra
    trusted CAs (a PEM file); by default the environment's or certifi's.
    """

    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    user_agent: str = field(default_factory=_default_user_agent)
    deny_networks: tuple[IPNetwork, ...] = DEFAULT_DENY_NETWORKS  # type: ignore[assignment]
    allow_networks: tuple[IPNetwork, ...] = ()
    verify_tls: bool = True
    ca_bundle: str | None = None
    max_redirects: int = 5

    def __post_init__(self) -> None:
        if self.connect_timeout <= 0 or self.read_timeout <= 0:
            raise ValueError("Tracker timeouts must be positive numbers of seconds.")
        object.__setattr__(self, "deny_networks", network.parse_networks(self.deny_networks))
        object.__setattr__(self, "allow_networks", network.parse_networks(self.allow_networks))

    @property
    def timeout(self) -> tuple[float, float]:
        """The ``(connect, read)`` pair every request is sent with."""
        return (self.connect_timeout, self.read_timeout)

    @property
    def ca_file(self) -> str:
        """The PEM bundle certificates are checked against (same for every stage)."""
        return (
            self.ca_bundle
            or os.environ.get("REQUESTS_CA_BUNDLE")
            or os.environ.get("CURL_CA_BUNDLE")
            or requests.utils.DEFAULT_CA_BUNDLE_PATH
        )

    @classmethod
    def from_config(cls, config: Mapping[str, Any], **overrides: Any) -> OutboundSettings:
        """Settings from app config keys ``TRACKER_CONNECT_TIMEOUT``, ``TRACKER_READ_TIMEOUT``,
        ``OUTBOUND_DENY_NETWORKS`` and ``OUTBOUND_ALLOW_NETWORKS`` (lists or comma-separated)."""

        def networks(key: str, default: Iterable[str]) -> tuple[str, ...]:
            value = config.get(key)
            if value is None:
                return tuple(default)
            items = value.split(",") if isinstance(value, str) else value
            return tuple(str(item).strip() for item in items if str(item).strip())

        settings = cls(
            connect_timeout=float(config.get("TRACKER_CONNECT_TIMEOUT") or 5.0),
            read_timeout=float(config.get("TRACKER_READ_TIMEOUT") or 10.0),
            deny_networks=networks("OUTBOUND_DENY_NETWORKS", DEFAULT_DENY_NETWORKS),  # type: ignore[arg-type]
            allow_networks=networks("OUTBOUND_ALLOW_NETWORKS", ()),  # type: ignore[arg-type]
        )
        return replace(settings, **overrides) if overrides else settings


class TooManyRedirects(OutboundError):
    """The tracker kept redirecting; the last hop is in ``url``."""

    def __init__(self, url: str, limit: int) -> None:
        super().__init__(f"More than {limit} redirects; the last one went to {url}.")
        self.url = url
        self.hint = "Check the server address and method (http or https)."


class TrackerHTTP:
    """A ``requests.Session`` that enforces ``OutboundSettings`` on every call.

    Use as a context manager (or call ``close``) so pooled connections are
    released.  Raises ``OutboundError`` subclasses for requests it refuses and
    ``requests.RequestException`` for ones that failed.
    """

    def __init__(self, settings: OutboundSettings) -> None:
        self.settings = settings
        self._vetted: set[tuple[str, int]] = set()  # (host, port) let through already
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        self.session.headers.update(
            {"User-Agent": settings.user_agent, "Accept": "application/json"}
        )

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> requests.Response:
        """Send one request, following up to ``max_redirects`` redirects safely."""
        settings = self.settings
        send_headers = dict(headers or {})
        for _hop in range(settings.max_redirects + 1):
            self.check_destination(url)
            response = self.session.request(
                method,
                url,
                headers=send_headers,
                params=params,
                json=json,
                timeout=settings.timeout,
                verify=self._verify_for(url),
                allow_redirects=False,
            )
            target = self.session.get_redirect_target(response)
            if target is None:
                return response
            response.close()
            next_url = requests.compat.urljoin(response.url, target)
            if self.session.should_strip_auth(response.url, next_url):
                send_headers = without_credentials(send_headers)
            if response.status_code == 303 or (
                response.status_code in (301, 302) and method == "POST"
            ):
                method, json = "GET", None
            url, params = next_url, None  # the Location already carries its query
        raise TooManyRedirects(url, settings.max_redirects)

    def adopt_connection(self, url: str, sock: socket.socket) -> bool:
        """Let the next request to ``url``'s scheme, host and port go over ``sock``.

        For the connection check, whose reach and TLS stages have opened ``sock`` already
        (see ``handover``).  ``url``'s host must have been vetted against these settings'
        network policy (the reach stage does), so requests to it are not vetted again;
        ``sock`` must be connected to one of its addresses: plain TCP for http; for https,
        a TLS socket whose handshake used
        ``network.tls_context(settings.verify_tls, settings.ca_file)``.  ``sock`` is this
        client's from now on: one that does not fit is closed, and the request connects
        as usual.  Returns whether ``sock`` was kept.
        """
        endpoint = network.Endpoint.from_url(url)
        self._vetted.add((endpoint.host, endpoint.port))
        return handover.hand_over(self.session, url, sock, self._verify_for(url))

    def _verify_for(self, url: str) -> bool | str:
        """What ``requests`` gets as ``verify`` for ``url``: for https the CA file, or
        ``False`` when checks are off; for http ``True``, as nothing is checked there and
        a file name costs a look at the disk per request."""
        if not self.settings.verify_tls:
            return False
        return self.settings.ca_file if url[:6].lower() == "https:" else True

    def check_destination(self, url: str) -> None:
        """Refuse ``url`` if its host resolves into a denied network (once per host and port)."""
        try:
            endpoint = network.Endpoint.from_url(url)
        except ValueError as exc:
            raise OutboundError(f"Refused to send a request to {url}: not an http(s) URL.") from exc
        if (endpoint.host, endpoint.port) in self._vetted:
            return
        network.allowed_addresses(
            endpoint.host, endpoint.port, self.settings.deny_networks, self.settings.allow_networks
        )
        self._vetted.add((endpoint.host, endpoint.port))

    def close(self) -> None:
        """Release pooled connections."""
        self.session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def without_credentials(headers: Mapping[str, str]) -> dict[str, str]:
    """``headers`` minus every header that carries a credential."""
    dropped = {name.lower() for name in CREDENTIAL_HEADERS}
    return {name: value for name, value in headers.items() if name.lower() not in dropped}
