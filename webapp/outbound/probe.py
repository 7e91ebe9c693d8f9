"""The reach and TLS stages, done on a plain socket before any HTTP is sent.

Why separately from the HTTP stages: "the name does not resolve", "the port
is closed", "a firewall swallows the connection" and "the certificate is
self-signed" each need their own sentence naming the host and port, and the
TLS verdict must be given even when HTTP would later fail for another reason.
The socket opened by ``reach`` is the one ``tls`` upgrades, and ``tls`` hands
it on for the HTTP stages' requests (``TrackerHTTP.adopt_connection``), so the
whole check costs one connection.
"""

from __future__ import annotations

import socket
import ssl
from datetime import UTC, datetime
from typing import NamedTuple

from webapp.outbound import network
from webapp.outbound.diagnosis import (
    CERTIFICATE_HINT,
    bad_certificate,
    connect_timed_out,
    network_problem,
    seconds,
)
from webapp.outbound.http import OutboundSettings
from webapp.outbound.network import Endpoint, OutboundError
from webapp.outbound.results import Stage, StageResult, StageStatus

#: A certificate that expires sooner than this is reported as a warning.
EXPIRY_WARNING_DAYS = 14
CERT_CHECKS_OFF = "Certificate checks are off for this connector."


class Reached(NamedTuple):
    """The reach stage's result, the open socket for the TLS stage (``None`` when the
    stage failed) and whether a connection to the tracker was attempted at all."""

    result: StageResult
    socket: socket.socket | None
    attempted: bool


def reach(endpoint: Endpoint, settings: OutboundSettings) -> Reached:
    """Resolve the host, apply the network policy and open a TCP connection.

    Addresses are tried in resolver order, as browsers and ``requests`` do. A name
    that does not resolve, or resolves into a denied network, is never connected to.
    """
    try:
        addresses = network.allowed_addresses(
            endpoint.host, endpoint.port, settings.deny_networks, settings.allow_networks
        )
    except OutboundError as exc:
        result = StageResult(Stage.REACH, StageStatus.FAILED, str(exc), hint=exc.hint)
        return Reached(result, None, attempted=False)
    problem: Exception = network.ResolveError(endpoint.host)
    for address in addresses:
        try:
            sock = network.open_tcp(address, endpoint.port, settings.connect_timeout)
        except OSError as exc:
            problem = exc
            continue
        via = "" if str(address) == endpoint.host else f" ({address})"
        message = f"Connected to {endpoint.host_port}{via}."
        return Reached(StageResult(Stage.REACH, StageStatus.OK, message), sock, attempted=True)
    if isinstance(problem, TimeoutError):
        message = connect_timed_out(endpoint, settings.connect_timeout)
        hint: str | None = "The host may be down, or a firewall drops the connection."
    else:
        message, hint = network_problem(problem, endpoint, settings)
    result = StageResult(Stage.REACH, StageStatus.FAILED, message, hint=hint)
    return Reached(result, None, attempted=bool(addresses))


class Secured(NamedTuple):
    """The TLS stage's result and the connection the HTTP stages may go on over: the
    TLS socket for https, the reach stage's socket for http (``None`` when it failed)."""

    result: StageResult
    socket: socket.socket | None


def tls(endpoint: Endpoint, sock: socket.socket, settings: OutboundSettings) -> Secured:
    """Run the TLS handshake on ``sock`` and judge the certificate.

    With ``settings.verify_tls`` off the handshake still runs (a server that
    does not speak TLS fails here) but the result is a warning.  ``sock`` is
    this stage's: it comes back (upgraded for https) unless the stage failed,
    and is closed then.
    """
    if endpoint.scheme != "https":
        result = StageResult(
            Stage.TLS,
            StageStatus.WARNING,
            "Not using HTTPS: credentials and tickets cross the network unencrypted.",
            hint="Use HTTPS unless the tracker is on a network you trust.",
        )
        return Secured(result, sock)
    context = network.tls_context(settings.verify_tls, settings.ca_file)
    try:
        tls_sock = network.start_tls(sock, endpoint.host, context)
    except OSError as exc:  # ssl.SSLError is an OSError
        return Secured(_handshake_failed(exc, endpoint, settings), None)
    finally:
        sock.close()  # a TLS socket that got through took the connection over
    try:
        return Secured(_judge_certificate(endpoint, tls_sock, settings.verify_tls), tls_sock)
    except BaseException:
        tls_sock.close()
        raise


def _handshake_failed(exc: OSError, endpoint: Endpoint, settings: OutboundSettings) -> StageResult:
    if isinstance(exc, ssl.SSLCertVerificationError):
        message = bad_certificate(endpoint.host, exc.verify_message or str(exc))
        return StageResult(Stage.TLS, StageStatus.FAILED, message, hint=CERTIFICATE_HINT)
    if isinstance(exc, TimeoutError):
        message = (
            f"No TLS handshake with {endpoint.host_port} "
            f"within {seconds(settings.connect_timeout)}."
        )
        return StageResult(Stage.TLS, StageStatus.FAILED, message)
    message, hint = network_problem(exc, endpoint, settings)
    return StageResult(Stage.TLS, StageStatus.FAILED, message, hint=hint)


def _judge_certificate(endpoint: Endpoint, tls_sock: ssl.SSLSocket, verified: bool) -> StageResult:
    version = tls_sock.version() or "TLS"
    if not verified:
        return StageResult(
            Stage.TLS,
            StageStatus.WARNING,
            f"{CERT_CHECKS_OFF} Connected with {version}.",
            hint="Connector Desk cannot tell whether it talks to the real tracker; turn "
            '"Verify TLS certificate" back on once the server has a valid certificate.',
        )
    not_after = (tls_sock.getpeercert() or {}).get("notAfter")
    if not isinstance(not_after, str):
        return StageResult(
            Stage.TLS, StageStatus.OK, f"The certificate of {endpoint.host} is valid ({version})."
        )
    expires = datetime.fromtimestamp(ssl.cert_time_to_seconds(not_after), UTC)
    days = (expires - datetime.now(UTC)).days
    when = expires.date().isoformat()
    if days < EXPIRY_WARNING_DAYS:
        return StageResult(
            Stage.TLS,
            StageStatus.WARNING,
            f"The certificate of {endpoint.host} is valid but expires on {when} "
            f"({'within a day' if days < 1 else f'in {days} days'}).",
            hint="Ask the tracker's administrators to renew it.",
        )
    message = f"The certificate of {endpoint.host} is valid ({version}, expires {when})."
    return StageResult(Stage.TLS, StageStatus.OK, message)
