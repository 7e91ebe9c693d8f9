"""Testing connectors: saved ones, and the unsaved values of a form or API body.

The checks themselves live in webapp.trackers (no Flask, no database). This module
turns connectors into check inputs, runs them, and records the outcome as the
connector's health and in the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from flask import current_app

from webapp.extensions import db
from webapp.models import Connector, User
from webapp.observability import metrics
from webapp.outbound.results import not_contacted
from webapp.services import audit
from webapp.services.connectors import ConnectorChanges, resolve_params
from webapp.services.permissions import require_admin
from webapp.services.secrets import SecretsUnreadable, connector_secrets
from webapp.services.systems import get_system
from webapp.trackers import CheckResult, OutboundSettings
from webapp.trackers.batch import DEFAULT_WORKERS, CheckJob, check_many

DISABLED_MESSAGE = "This connector is disabled: it is not used for tests or tickets."
UNREADABLE_MESSAGE = "The stored secret cannot be decrypted — re-enter it on the edit page."
#: Unsaved settings aim the server at any address with any credentials: an admin action.
UNSAVED_ADMIN_ONLY = (
    "Only administrators can test unsaved settings; viewers can test saved connectors."
)


def outbound_settings() -> OutboundSettings:
    return OutboundSettings.from_config(current_app.config)


def _job_for(connector: Connector, settings: OutboundSettings) -> CheckJob | CheckResult:
    """The check to run for a saved connector, or the result saying why none runs."""
    system = get_system(connector.system_id)
    if connector.disabled:
        return not_contacted(system.id, DISABLED_MESSAGE, datetime.now(UTC))
    try:
        secrets = connector_secrets(connector)
    except SecretsUnreadable:
        return not_contacted(system.id, UNREADABLE_MESSAGE, datetime.now(UTC))
    return CheckJob(system, connector.params, secrets, settings, connector.inaccessible)


def _run_all(
    jobs: Sequence[CheckJob | CheckResult], max_workers: int = DEFAULT_WORKERS
) -> list[CheckResult]:
    runnable = [job for job in jobs if isinstance(job, CheckJob)]
    finished = check_many(runnable, max_workers)
    for result in finished:
        if result.contacted:
            metrics.record_check_stages(result.system_id, result.stages)
    results = iter(finished)
    return [job if isinstance(job, CheckResult) else next(results) for job in jobs]


def record_health(connector: Connector, result: CheckResult) -> None:
    """Store the latest outcome as the connector's health badge.

    A plain UPDATE: health is not an edit, so the connector's version (and any form
    someone has open) stays valid.
    """
    failed = result.failed_stage
    status = "ok" if result.ok else ("failed" if failed else "skipped")
    db.session.execute(
        Connector.__table__.update()
        .where(Connector.id == connector.id)
        .values(
            health_status=status,
            health_checked_at=result.started_at,
            health_stage=failed.stage.value if failed else None,
            health_message=result.summary[:500],
        )
    )
    db.session.expire(
        connector, ["health_status", "health_checked_at", "health_stage", "health_message"]
    )


def _record_test(
    actor: User | None, connector: Connector | None, result: CheckResult, **details: Any
) -> None:
    failed = result.failed_stage
    audit.record(
        "connector.test",
        actor,
        connector,
        ok=result.ok,
        failed_stage=failed.stage.value if failed else None,
        **details,
    )


def test_saved(actor: User | None, connector: Connector) -> CheckResult:
    """Test a saved connector and record the result as its health."""
    (result,) = _run_all([_job_for(connector, outbound_settings())])
    record_health(connector, result)
    _record_test(actor, connector, result)
    db.session.commit()
    return result


def test_unsaved(
    actor: User | None,
    system_id: str,
    name: str,
    raw_params: Mapping[str, Any],
    based_on: Connector | None = None,
    *,
    inaccessible: bool = False,
    clear_secrets: Sequence[str] = (),
) -> CheckResult:
    """Test values that are not saved; blank secrets mean ``based_on``'s stored ones,
    under the same rules as saving. Raises ValidationFailed for invalid values.

    Administrators only (Forbidden for viewers): whoever chooses the server and
    credentials makes this server send requests wherever they like.
    """
    require_admin(actor, UNSAVED_ADMIN_ONLY)
    system = get_system(system_id)
    changes = ConnectorChanges(name=name, params=raw_params, clear_secrets=clear_secrets)
    values, secrets = resolve_params(system, changes, based_on)
    job: CheckJob | CheckResult = CheckJob(
        system, values, secrets, outbound_settings(), inaccessible
    )
    if based_on is not None and based_on.disabled:
        job = not_contacted(system.id, DISABLED_MESSAGE, datetime.now(UTC))
    (result,) = _run_all([job])
    _record_test(actor, based_on, result, unsaved=True, system=system.id)
    db.session.commit()
    return result


def test_many(
    actor: User | None, connectors: Sequence[Connector], max_workers: int
) -> list[tuple[Connector, CheckResult]]:
    """Test several saved connectors concurrently (one hung tracker costs one timeout)."""
    settings = outbound_settings()
    results = _run_all([_job_for(connector, settings) for connector in connectors], max_workers)
    for connector, result in zip(connectors, results, strict=True):
        record_health(connector, result)
        _record_test(actor, connector, result)
    db.session.commit()
    return list(zip(connectors, results, strict=True))
