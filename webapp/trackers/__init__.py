"""Talking to issue trackers: the staged "Test connection" check, and later tickets.

Pure Python (no Flask), so the web pages, the API and the CLI share one code
path.  Every request goes through ``outbound.TrackerHTTP``; every message is
scrubbed of secrets before it leaves a client.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from webapp.outbound.http import OutboundSettings, TrackerHTTP
from webapp.outbound.results import (
    STAGES,
    CheckResult,
    Stage,
    StageResult,
    StageStatus,
    not_contacted,
)

if TYPE_CHECKING:
    from webapp.trackers.system import System

INACCESSIBLE_MESSAGE = "This connector is marked inaccessible: Connector Desk does not contact it."

__all__ = [
    "INACCESSIBLE_MESSAGE",
    "STAGES",
    "CheckResult",
    "OutboundSettings",
    "Stage",
    "StageResult",
    "StageStatus",
    "TrackerHTTP",
    "check_connection",
]


def check_connection(
    system: System,
    params: Mapping[str, Any],
    secrets: Mapping[str, str],
    settings: OutboundSettings,
    *,
    inaccessible: bool = False,
) -> CheckResult:
    """Run the staged check for one connector's settings (saved or not).

    Never raises for a tracker problem: every failure is a stage of the result.
    An ``inaccessible`` connector, or a system without a client, is not
    contacted at all and the result says why (``contacted`` is False, ``ok`` too).
    """
    if inaccessible:
        return not_contacted(system.id, INACCESSIBLE_MESSAGE, datetime.now(UTC))
    if system.client_class is None:
        reason = f"Connection tests are not available for {system.name} connectors."
        return not_contacted(system.id, reason, datetime.now(UTC))
    with system.client_class(system, params, secrets, settings) as client:
        return client.check_connection()
