"""Testing connectors: saved ones, and the unsaved values of a form or API body.

The checks themselves live in webapp.trackers (no Flask, no database). This module
turns connectors into check inputs, runs them, and records the outcome as the
connector's health and in the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from webapp.extensions import db
from webapp.models import Connector, User
from webapp.observability import metrics
from webapp.services import audit
from webapp.services.connector_sessions import ConnectorSession, outbound_settings
from webapp.services.connectors import ConnectorChanges, resolve_params
from webapp.services.permissions import require_admin
from webapp.services.systems import get_system
from webapp.trackers import CheckResult
from webapp.trackers.batch import DEFAULT_WORKERS, CheckJob, check_many

#: Unsaved settings aim the server at any address with any credentials: an admin action.
UNSAVED_ADMIN_ONLY = (
    "Only administrators can test unsaved settings; viewers can test saved connectors."
)


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


def test_saved(actor: User | None, connector: Connector | ConnectorSession) -> CheckResult:
    """Test a saved connector (or its session) and record the result as its health."""
    session = (
        connector if isinstance(connector, ConnectorSession) else ConnectorSession.of(connector)
    )
    (result,) = _run_all([session.check_job()])
    session.record_check(result)
    _record_test(actor, session.connector, result)
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
    session = ConnectorSession.unsaved(
        system, values, secrets, inaccessible=inaccessible, based_on=based_on
    )
    (result,) = _run_all([session.check_job()])
    _record_test(actor, based_on, result, unsaved=True, system=system.id)
    db.session.commit()
    return result


def test_many(
    actor: User | None, connectors: Sequence[Connector], max_workers: int
) -> list[tuple[Connector, CheckResult]]:
    """Test several saved connectors concurrently (one hung tracker costs one timeout)."""
    settings = outbound_settings()
    sessions = [ConnectorSession.of(connector, settings) for connector in connectors]
    results = _run_all([session.check_job() for session in sessions], max_workers)
    for session, result in zip(sessions, results, strict=True):
        session.record_check(result)
        _record_test(actor, session.connector, result)
    db.session.commit()
    return list(zip(connectors, results, strict=True))
