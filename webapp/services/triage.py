"""Service Desk triage: label issues that arrive another way by the ``[Category]`` in
their title, creating the label first when the tracker lacks it.

The rule comes from running a help desk on GitLab Service Desk: people e-mail
``[Hardware] Buying a new screen``, GitLab opens the issue "Service Desk (from
john.doe@mail.com): [Hardware] Buying a new screen" as ``support-bot``, and the issue
should get the Hardware category's label. A connector's ``triage_issues`` setting says
whether to triage only such e-mailed issues (the tracker client names their authors,
``service_desk_authors``), every issue, or none. Category names match in any case.

One rule, two ways in: ``triage_from_event`` for an issue a webhook says was opened or
retitled, and ``triage_sweep`` (the "Triage now" button, `flask connectors triage`)
for the issues already open, page by page.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from webapp.extensions import db
from webapp.models import Connector, ConnectorCategory, User
from webapp.models.base import utcnow
from webapp.names import name_key
from webapp.services import audit, notifications
from webapp.services.connector_sessions import ConnectorSession
from webapp.services.errors import ServiceError
from webapp.services.permissions import require_admin
from webapp.trackers.common import TRIAGE_FIELD, TRIAGE_OFF, TRIAGE_SERVICE_DESK
from webapp.trackers.tickets import DeliveryFailed, IssueSnapshot

LABELLED, ALREADY_LABELLED, NO_CATEGORY = "labelled", "already labelled", "no category"
NOT_SERVICE_DESK, FAILED = "not service desk", "failed"
STATUSES = (LABELLED, ALREADY_LABELLED, NO_CATEGORY, NOT_SERVICE_DESK, FAILED)
#: A sweep reads the open issues this many at a time, and at most this many pages.
PER_PAGE, MAX_PAGES = 50, 40
TRIAGE_OFF_MESSAGE = (
    "Triage is off for this connector: choose which issues to triage under "
    "'Triage issues by category' on its edit page."
)
NO_CATEGORIES_MESSAGE = "This connector has no categories: add them on its edit page."


@dataclass(frozen=True)
class TriageOutcome:
    """What triage did to one issue: ``labels`` added (or, in a dry run, to add; for
    "already labelled": the ones it has), or why nothing (``message`` when it failed)."""

    key: str
    title: str
    status: str
    labels: tuple[str, ...] = ()
    message: str = ""
    dry_run: bool = False


@dataclass
class TriageReport:
    """A sweep over a connector's open issues: each issue's outcome, and whether it read
    them all (``message`` says why not: the tracker failed, or too many pages)."""

    dry_run: bool
    outcomes: list[TriageOutcome] = field(default_factory=list)
    pages: int = 0
    message: str = ""

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(outcome.status for outcome in self.outcomes)
        return {status: found[status] for status in STATUSES if found[status]}


def triage_mode(connector: Connector) -> str:
    """off, service_desk or all: the connector's setting (off when its tracker has none)."""
    return str((connector.params or {}).get(TRIAGE_FIELD) or TRIAGE_OFF)


def matching_categories(connector: Connector, title: str) -> list[ConnectorCategory]:
    """The categories whose ``[name]`` the title holds, in any case and spacing."""
    folded = name_key(title or "")
    return [c for c in connector.categories if f"[{name_key(c.name)}]" in folded]


def triage_issue(
    connector: Connector,
    snapshot: IssueSnapshot,
    client: Any = None,
    *,
    dry_run: bool = False,
    ensured: set[str] | None = None,
) -> TriageOutcome:
    """Give the issue its categories' labels unless it has them; never raises.

    ``client`` is the connector's open tracker client (None: one is opened here, and a
    connector that cannot be used is a failed outcome saying why). A category label
    never seen on the tracker (``label_synced_at`` unset) is created first, an "already
    exists" answer (GitLab 409, GitHub 422) being as good; ``ensured`` remembers the
    ones a sweep has made sure of. Nothing is committed.
    """
    key, title = snapshot.key, snapshot.title or ""
    if client is None:
        session = ConnectorSession.of(connector)
        if not session.usable:
            return TriageOutcome(key, title, FAILED, (), session.problem or "")
        with session.client() as opened:
            return triage_issue(connector, snapshot, opened, dry_run=dry_run, ensured=ensured)
    if triage_mode(connector) == TRIAGE_SERVICE_DESK and (
        snapshot.author not in client.service_desk_authors
    ):
        return TriageOutcome(key, title, NOT_SERVICE_DESK)
    categories = matching_categories(connector, title)
    if not categories:
        return TriageOutcome(key, title, NO_CATEGORY)
    have = {label.casefold() for label in snapshot.labels or ()}
    wanted = list(dict.fromkeys(c.label for c in categories))
    missing = tuple(label for label in wanted if label.casefold() not in have)
    if not missing:
        return TriageOutcome(key, title, ALREADY_LABELLED, tuple(wanted))
    if dry_run:
        return TriageOutcome(key, title, LABELLED, missing, dry_run=True)
    ensured = set() if ensured is None else ensured
    for category in categories:
        known = category.label_synced_at is not None or category.label in ensured
        if category.label not in missing or known:
            continue
        outcome = client.ensure_label(category.label, category.colour, None)
        if outcome.status == FAILED:
            return TriageOutcome(key, title, FAILED, missing, outcome.message)
        category.label_synced_at = utcnow()
        ensured.add(category.label)
    try:
        client.add_labels(key, missing, None)
    except DeliveryFailed as failure:
        return TriageOutcome(key, title, FAILED, missing, failure.message)
    return TriageOutcome(key, title, LABELLED, missing)


def announced(connector: Connector, outcome: TriageOutcome) -> TriageOutcome:
    """``outcome``, after storing an "issue triaged" notification for each label it
    added (a dry run adds none)."""
    if outcome.status == LABELLED and not outcome.dry_run:
        for label in outcome.labels:
            notifications.notify_issue_triaged(
                connector, issue_key=outcome.key, issue_title=outcome.title, label=label
            )
    return outcome


def triage_from_event(connector: Connector, snapshot: IssueSnapshot) -> TriageOutcome | None:
    """Triage an issue a tracker event says was opened or retitled (not one of our
    tickets); None when the connector's triage is off. The caller commits.

    A title without a category is answered without the tracker. Where only Service
    Desk issues are triaged and the event does not say who opened the issue (GitLab
    names the author only when it is opened), the issue is read back to learn it.
    """
    if triage_mode(connector) == TRIAGE_OFF:
        return None
    if not matching_categories(connector, snapshot.title or ""):
        return TriageOutcome(snapshot.key, snapshot.title or "", NO_CATEGORY)
    if triage_mode(connector) != TRIAGE_SERVICE_DESK or snapshot.author is not None:
        return announced(connector, triage_issue(connector, snapshot))
    session = ConnectorSession.of(connector)
    if not session.usable:
        return TriageOutcome(snapshot.key, snapshot.title or "", FAILED, (), session.problem or "")
    with session.client() as client:
        try:
            current = client.fetch_issue(snapshot.key, None)
        except DeliveryFailed as failure:
            return TriageOutcome(snapshot.key, snapshot.title or "", FAILED, (), failure.message)
        known = replace(
            snapshot,
            author=getattr(current, "author", None),
            labels=getattr(current, "labels", None) or snapshot.labels,
        )
        return announced(connector, triage_issue(connector, known, client))


def triage_sweep(
    actor: User | None,
    connector: Connector,
    *,
    dry_run: bool = False,
    per_page: int = PER_PAGE,
    max_pages: int = MAX_PAGES,
) -> TriageReport:
    """Triage every open issue of the connector's project or repository, page by page,
    and audit the sweep. ``ServiceError`` when triage is off, there are no categories, or
    the connector cannot be used."""
    require_admin(actor)
    if triage_mode(connector) == TRIAGE_OFF:
        raise ServiceError(TRIAGE_OFF_MESSAGE)
    if not connector.categories:
        raise ServiceError(NO_CATEGORIES_MESSAGE)
    session = ConnectorSession.of(connector)
    session.require_usable()
    report = TriageReport(dry_run)
    ensured: set[str] = set()
    with session.client() as client:
        for page in range(1, max_pages + 1):
            try:
                listed = client.list_open_issues(None, page, per_page)
            except DeliveryFailed as failure:
                report.message = failure.message
                break
            report.pages = page
            report.outcomes += [
                announced(
                    connector,
                    triage_issue(connector, issue, client, dry_run=dry_run, ensured=ensured),
                )
                for issue in listed.issues
            ]
            if not listed.more:
                break
        else:
            report.message = f"Stopped after {max_pages} pages: run it again for the rest."
    audit.record(
        "connector.triage",
        actor,
        connector,
        dry_run=dry_run,
        issues=len(report.outcomes),
        outcomes=report.counts,
        complete=not report.message,
    )
    db.session.commit()
    return report


__all__ = [
    "ALREADY_LABELLED",
    "FAILED",
    "LABELLED",
    "NO_CATEGORY",
    "NOT_SERVICE_DESK",
    "TRIAGE_OFF",
    "TriageOutcome",
    "TriageReport",
    "matching_categories",
    "triage_from_event",
    "triage_issue",
    "triage_mode",
    "triage_sweep",
]
