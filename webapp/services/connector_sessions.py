"""``ConnectorSession``: one connector in use, for a test, a ticket or a delivery.

Why one object: "can this connector be used?" used to be answered by the ticket form,
the delivery and the connection test, each with its own words; the system, secrets and
outbound settings were looked up again by every caller; a delivery opened a new client
(and HTTP session) for each request; and health was written in two places. A session
resolves everything once, says why the connector cannot be used in ONE set of words,
opens ONE client for all the requests of a delivery or a test, and records the outcome
as the connector's health through ONE function.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from flask import current_app
from sqlalchemy import update

from webapp.extensions import db
from webapp.models import Connector
from webapp.models.base import utcnow
from webapp.outbound.results import CheckResult, not_contacted
from webapp.services import notifications
from webapp.services.connectors import get_connector
from webapp.services.errors import NotFound, ServiceError
from webapp.services.secrets import SecretsUnreadable, connector_secrets
from webapp.services.systems import get_system
from webapp.trackers import INACCESSIBLE_MESSAGE, OutboundSettings
from webapp.trackers.batch import CheckJob
from webapp.trackers.system import System

#: Why a connector cannot be used: the one set of words for tests, tickets and deliveries.
DISABLED_MESSAGE = "This connector is disabled: enable it to test it or send tickets through it."
UNREADABLE_MESSAGE = (
    "This connector's stored secret cannot be decrypted — re-enter it on its edit page."
)
NOT_INSTALLED_MESSAGE = (
    "This connector's tracker type ({system_id}) is not installed: install its plugin again "
    "to use it."
)
NO_CLIENT_MESSAGE = (
    "Connector Desk cannot talk to {system} trackers: their connectors cannot be tested "
    "or send tickets."
)
#: Consecutive failed deliveries after which the badge says the connector is failing.
FAILURES_FOR_UNHEALTHY = 2


def outbound_settings() -> OutboundSettings:
    """Timeouts, deny-list and User-Agent for outbound requests (the app's settings)."""
    return OutboundSettings.from_config(current_app.config)


class ConnectorUnusable(ServiceError):
    """The connector cannot be used now; ``message`` says why (for a person)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "connector_id")


class ConnectorSession:
    """A connector's system, params, secrets and outbound settings, each resolved once.

    Build one with ``ConnectorSession.of(connector)`` (saved) or
    ``ConnectorSession.unsaved(...)`` (the values of a form or API body). Secrets are
    decrypted on first use, at most once.
    """

    def __init__(
        self,
        system_id: str,
        params: Mapping[str, Any],
        *,
        connector: Connector | None = None,
        secrets: Mapping[str, str] | None = None,
        disabled: bool = False,
        inaccessible: bool = False,
        settings: OutboundSettings | None = None,
        system: System | None = None,
    ) -> None:
        self.system_id = system_id
        if system is not None:  # already resolved by the caller
            self.__dict__["system"] = system
        self.params = params
        self.connector = connector
        self.disabled = disabled
        self.inaccessible = inaccessible
        self._given_secrets = secrets
        self._settings = settings

    @classmethod
    def of(cls, connector: Connector, settings: OutboundSettings | None = None) -> ConnectorSession:
        """A session for a saved connector."""
        return cls(
            connector.system_id,
            connector.params,
            connector=connector,
            disabled=connector.disabled,
            inaccessible=connector.inaccessible,
            settings=settings,
        )

    @classmethod
    def unsaved(
        cls,
        system: System,
        params: Mapping[str, Any],
        secrets: Mapping[str, str],
        *,
        inaccessible: bool = False,
        based_on: Connector | None = None,
    ) -> ConnectorSession:
        """A session for values that are not saved; a disabled ``based_on`` stays unused."""
        return cls(
            system.id,
            params,
            secrets=secrets,
            disabled=bool(based_on and based_on.disabled),
            inaccessible=inaccessible,
            system=system,
        )

    # ---- what is resolved once -------------------------------------------
    @cached_property
    def system(self) -> System:
        """The connector's system; NotFound when its tracker type is not installed."""
        return get_system(self.system_id)

    @property
    def settings(self) -> OutboundSettings:
        if self._settings is None:
            self._settings = outbound_settings()
        return self._settings

    @cached_property
    def _secrets(self) -> Mapping[str, str] | None:
        if self._given_secrets is not None:
            return self._given_secrets
        if self.connector is None:
            return {}
        try:
            return connector_secrets(self.connector)
        except SecretsUnreadable:
            return None

    @property
    def secrets_readable(self) -> bool:
        """Whether the stored secrets can be decrypted with the configured keys."""
        return self._secrets is not None

    @property
    def secrets(self) -> Mapping[str, str]:
        """The decrypted secrets; ``ConnectorUnusable`` when they cannot be read."""
        if self._secrets is None:
            raise ConnectorUnusable(UNREADABLE_MESSAGE)
        return self._secrets

    # ---- "is it usable?" ----------------------------------------------------
    @cached_property
    def problem(self) -> str | None:
        """Why the connector cannot be used now (``None``: it can)."""
        if self.disabled:
            return DISABLED_MESSAGE
        if self.inaccessible:
            return INACCESSIBLE_MESSAGE
        try:
            system = self.system
        except NotFound:
            return NOT_INSTALLED_MESSAGE.format(system_id=self.system_id)
        if system.client_class is None:
            return NO_CLIENT_MESSAGE.format(system=system.name)
        if not self.secrets_readable:
            return UNREADABLE_MESSAGE
        return None

    @property
    def usable(self) -> bool:
        return self.problem is None

    def require_usable(self) -> None:
        """Raise ``ConnectorUnusable`` (saying why) unless the connector can be used."""
        if self.problem is not None:
            raise ConnectorUnusable(self.problem)

    # ---- using it -----------------------------------------------------------
    @contextmanager
    def client(self) -> Iterator[Any]:
        """ONE open tracker client (one HTTP session) for every request of a delivery or
        a label sync; closed on leaving. ``ConnectorUnusable`` if the connector is not."""
        self.require_usable()
        client_class = self.system.client_class
        assert client_class is not None  # require_usable said so
        with client_class(self.system, self.params, self.secrets, self.settings) as client:
            yield client

    def check_job(self) -> CheckJob | CheckResult:
        """The connection check to run, or the result saying why none runs."""
        if self.problem is not None:
            return not_contacted(self.system_id, self.problem, datetime.now(UTC))
        return CheckJob(self.system, self.params, self.secrets, self.settings, self.inaccessible)

    # ---- health -------------------------------------------------------------
    def record_check(self, result: CheckResult) -> None:
        """Store a connection test's outcome as the connector's health badge."""
        if self.connector is not None:
            record_health(self.connector, health_of_check(result))

    def record_delivery(self, ok: bool, message: str) -> None:
        """Count a delivery as health too; repeated failures mark the connector failing."""
        if self.connector is not None:
            record_health(self.connector, health_of_delivery(self.connector, ok, message))


def connector_session(connector_id: int) -> ConnectorSession:
    """The saved connector with this id, as a session (NotFound if there is none)."""
    return ConnectorSession.of(get_connector(connector_id))


@dataclass(frozen=True)
class Health:
    """What to write on a connector's health; ``status`` None leaves the badge as it is,
    ``delivery_failures`` None leaves the count of failed deliveries in a row."""

    status: str | None = None
    stage: str | None = None
    message: str = ""
    checked_at: datetime | None = None
    delivery_failures: int | None = None


def health_of_check(result: CheckResult) -> Health:
    """A test's outcome: ok, failed (at which stage) or skipped (not contacted)."""
    failed = result.failed_stage
    return Health(
        status="ok" if result.ok else ("failed" if failed else "skipped"),
        stage=failed.stage.value if failed else None,
        message=result.summary,
        checked_at=result.started_at,
    )


def health_of_delivery(connector: Connector, ok: bool, message: str) -> Health:
    """A delivery's outcome: a success is healthy; one failure is not yet a verdict."""
    if ok:
        return Health("ok", None, message, utcnow(), delivery_failures=0)
    failures = (connector.delivery_failures or 0) + 1
    if failures < FAILURES_FOR_UNHEALTHY:
        return Health(delivery_failures=failures)
    summary = f"{failures} deliveries failed in a row: {message}"
    return Health("failed", "delivery", summary, utcnow(), delivery_failures=failures)


def record_health(connector: Connector, health: Health) -> None:
    """Write ``health`` on the connector: the one place a health badge is written.

    A plain UPDATE: health is not an edit, so the connector's version (and any form
    someone has open) stays valid.
    """
    values: dict[str, Any] = {}
    if health.status is not None:
        values.update(
            health_status=health.status,
            health_checked_at=health.checked_at,
            health_stage=health.stage,
            health_message=health.message[:500],
        )
    if health.delivery_failures is not None:
        values["delivery_failures"] = health.delivery_failures
    if not values:
        return
    before = connector.health_status
    db.session.execute(
        update(Connector)
        .where(Connector.id == connector.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(connector, list(values))
    _announce_health_change(connector, before, health)


#: Health changes channels hear about: (before is failed, now) → event.
HEALTH_EVENTS = {
    (False, "failed"): notifications.HEALTH_FAILING,
    (True, "ok"): notifications.HEALTH_RECOVERED,
}


def _announce_health_change(connector: Connector, before: str | None, health: Health) -> None:
    """A badge that turns failing, or ok again after failing, is news (not every check)."""
    event = HEALTH_EVENTS.get((before == "failed", health.status))
    if event is None:
        return
    when = (health.checked_at or utcnow()).isoformat()
    failing = event == notifications.HEALTH_FAILING
    notifications.notify(
        event,
        connector=connector,
        title=f"Connector {connector.name} is {'failing' if failing else 'healthy again'}",
        body=health.message if failing else f"It works again: {health.message}",
        dedupe_key=f"connector:{connector.id}:health:{health.status}:{when}",
    )
