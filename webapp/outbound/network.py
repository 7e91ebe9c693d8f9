"""Low-level outbound steps: parse an endpoint, resolve it, apply the network policy,
open a TCP connection and start TLS.

Why not leave this to ``requests``: the "reach" and "TLS" stages must tell a
DNS failure, a refused port, a timeout and a bad certificate apart, and name
the host and port; ``requests`` folds them all into ``ConnectionError``.
``resolve``, ``open_tcp`` and ``start_tls`` are module functions that every
caller looks up at call time, so tests can replace them without a network.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Iterable
from typing import NamedTuple
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_PORTS = {"http": 80, "https": 443}


class OutboundError(Exception):
    """A request Connector Desk could not or would not send; ``str()`` is for people."""

    hint: str | None = None


class ResolveError(OutboundError):
    """The host name does not resolve."""

    def __init__(self, host: str) -> None:
        super().__init__(f"Could not resolve {host}.")
        self.host = host
        self.hint = "Check the server name; the Connector Desk host must be able to resolve it."


class DeniedAddress(OutboundError):
    """The host resolves into a network that outbound requests may not reach."""

    def __init__(self, host: str, address: IPAddress, network: IPNetwork) -> None:
        shown = str(address) if str(address) == host else f"{host} ({address})"
        super().__init__(
            f"Refused to contact {shown}: {network} is a denied network "
            "(link-local and cloud-metadata addresses are refused by default)."
        )
        self.host, self.address, self.network = host, address, network
        self.hint = "An administrator can allow it with OUTBOUND_ALLOW_NETWORKS."


class Endpoint(NamedTuple):
    """Where a URL connects: scheme, host (IPv6 without brackets) and port."""

    scheme: str
    host: str
    port: int

    @classmethod
    def from_url(cls, url: str) -> Endpoint:
        """Parse ``url``; ``ValueError`` for a missing host or an invalid port."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if not parts.hostname or scheme not in DEFAULT_PORTS:
            raise ValueError(f"{url!r} is not an http(s) URL with a host.")
        return cls(scheme, parts.hostname, parts.port or DEFAULT_PORTS[scheme])

    @property
    def host_port(self) -> str:
        """``host:port`` as people write it, with brackets around IPv6 literals."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def parse_networks(values: Iterable[str | IPNetwork]) -> tuple[IPNetwork, ...]:
    """Networks from strings like ``169.254.0.0/16`` (``ValueError`` when invalid).

    Networks already parsed are kept as they are: settings copied with ``replace``
    (one copy per tracker client) would otherwise parse their lists again.
    """
    return tuple(
        value if isinstance(value, IPNetwork) else ipaddress.ip_network(value, strict=False)
        for value in values
    )


def denied_network(
    address: IPAddress, deny: Iterable[IPNetwork], allow: Iterable[IPNetwork]
) -> IPNetwork | None:
    """The deny-list network containing ``address``, unless an allow-list network does.

    IPv4-mapped IPv6 addresses (``::ffff:169.254.169.254``) are checked as the
    IPv4 address they carry, so they cannot be used to slip past the list.
    """
    candidates = [address]
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        candidates.append(address.ipv4_mapped)

    def first_match(networks: Iterable[IPNetwork]) -> IPNetwork | None:
        return next(
            (n for n in networks for a in candidates if a.version == n.version and a in n), None
        )

    if first_match(allow) is not None:
        return None
    return first_match(deny)


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (IP literals resolve to themselves)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:  # gaierror is an OSError; bad IDNA a UnicodeError
        raise ResolveError(host) from exc
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def allowed_addresses(
    host: str, port: int, deny: Iterable[IPNetwork], allow: Iterable[IPNetwork]
) -> list[IPAddress]:
    """Resolve ``host`` and refuse it if *any* address is in a denied network.

    Checking every address (not just the first) means a name that answers
    with both a public and a metadata address cannot be used to reach the
    latter on a retry.
    """
    deny, allow = tuple(deny), tuple(allow)
    addresses = resolve(host, port)
    for address in addresses:
        network = denied_network(address, deny, allow)
        if network is not None:
            raise DeniedAddress(host, address, network)
    return addresses


def open_tcp(address: IPAddress, port: int, timeout: float) -> socket.socket:
    """A TCP connection to ``address``, or the ``OSError`` that prevented it."""
    return socket.create_connection((str(address), port), timeout=timeout)


def tls_context(verify: bool, ca_file: str) -> ssl.SSLContext:
    """A client context that checks certificates against ``ca_file``, or checks nothing."""
    context = ssl.create_default_context(cafile=ca_file if verify else None)
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def start_tls(sock: socket.socket, host: str, context: ssl.SSLContext) -> ssl.SSLSocket:
    """Run the TLS handshake on ``sock`` for ``host`` (SNI and hostname check)."""
    return context.wrap_socket(sock, server_hostname=host)
