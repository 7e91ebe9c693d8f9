"""Creating, finding and labelling issues through a system's client in one call: the
trackers' tests speak to a tracker this way (the app goes through ConnectorSession)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from webapp.outbound.http import OutboundSettings
from webapp.trackers.system import System
from webapp.trackers.tickets import CreatedIssue, DeliveryFailed, IssueDraft, LabelOutcome


def _client(
    system: System,
    params: Mapping[str, Any],
    secrets: Mapping[str, str],
    settings: OutboundSettings,
):
    if system.client_class is None:
        raise DeliveryFailed(f"{system.name} connectors cannot create tickets.", retryable=False)
    return system.client_class(system, params, secrets, settings)


def create_issue(
    system: System,
    params: Mapping[str, Any],
    secrets: Mapping[str, str],
    settings: OutboundSettings,
    draft: IssueDraft,
) -> CreatedIssue:
    with _client(system, params, secrets, settings) as client:
        return client.create_issue(draft)


def find_issue(
    system: System,
    params: Mapping[str, Any],
    secrets: Mapping[str, str],
    settings: OutboundSettings,
    marker: str,
    target: str | None,
) -> CreatedIssue | None:
    """The issue whose body holds ``marker``, if an earlier attempt created it."""
    with _client(system, params, secrets, settings) as client:
        return client.find_issue(marker, target)


def ensure_labels(
    system: System,
    params: Mapping[str, Any],
    secrets: Mapping[str, str],
    settings: OutboundSettings,
    labels: Sequence[tuple[str, str]],
    target: str | None,
) -> list[LabelOutcome]:
    """Create each (name, colour) label that is missing; "already exists" is success."""
    with _client(system, params, secrets, settings) as client:
        return [client.ensure_label(name, colour, target) for name, colour in labels]
