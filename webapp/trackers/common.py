"""Field declarations every tracker shares, under their SD Elements names.

Systems build their field list from these helpers so the server, auth and
task-sync parameters look and validate the same everywhere; ``override``
adjusts wording per system without copying a declaration.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from webapp.schema.fields import Field, FieldGroup, FieldKind
from webapp.schema.titles import check_title_format

AUTH_MODE = "issue_tracker_auth_mode"
AUTH_MODE_LABELS = {"api_token": "API token", "basic": "User name and password"}

CONNECTION_GROUP = FieldGroup("connection", "Connection")
AUTH_GROUP = FieldGroup("authentication", "Authentication")
TICKETS_GROUP = FieldGroup("tickets", "Tickets")
TASK_SYNC_GROUP = FieldGroup(
    "task_sync",
    "Task sync (SD Elements)",
    "Only used when SD Elements synchronises its tasks through this connector; "
    "the defaults match SD Elements.",
    collapsed=True,
)


def connection_fields(
    *,
    auth_modes: Sequence[str] = ("api_token",),
    default_auth_mode: str | None = None,
    default_server: str | None = None,
) -> tuple[Field, ...]:
    """Server, method, certificate check and the credentials for ``auth_modes``.

    With a single auth mode the credentials are unconditional; with several,
    each credential field is shown only for the mode that uses it.
    """
    unknown = set(auth_modes) - set(AUTH_MODE_LABELS)
    if unknown or not auth_modes:
        raise ValueError(f"Unsupported auth modes: {sorted(unknown) or 'none given'}.")
    default_auth_mode = default_auth_mode or auth_modes[0]
    several = len(auth_modes) > 1

    def when(mode: str) -> dict[str, tuple[str, ...]] | None:
        return {AUTH_MODE: (mode,)} if several else None

    fields = [
        Field(
            "issue_tracker_server",
            "Server",
            FieldKind.HOST,
            required=True,
            default=default_server,
            help="Host name, optional :port and /path, without https://.",
            group=CONNECTION_GROUP.id,
        ),
        Field(
            "issue_tracker_method",
            "Method",
            FieldKind.CHOICE,
            default="https",
            choices=(("https", "HTTPS"), ("http", "HTTP")),
            group=CONNECTION_GROUP.id,
            help="Protocol used to reach the server; use HTTP only inside a trusted network.",
        ),
        Field(
            "issue_tracker_validate_cert",
            "Verify TLS certificate",
            FieldKind.BOOL,
            default=True,
            group=CONNECTION_GROUP.id,
            # Plain HTTP has no certificate to verify.
            shown_when={"issue_tracker_method": ("https",)},
            help="Turn off only for a server with a self-signed certificate you trust.",
        ),
        Field(
            AUTH_MODE,
            "Authentication",
            FieldKind.CHOICE,
            default=default_auth_mode,
            choices=tuple((mode, AUTH_MODE_LABELS[mode]) for mode in auth_modes),
            group=AUTH_GROUP.id,
        ),
    ]
    if "api_token" in auth_modes:
        fields.append(
            Field(
                "issue_tracker_api_token",
                "API token",
                FieldKind.SECRET,
                required=True,
                shown_when=when("api_token"),
                group=AUTH_GROUP.id,
            )
        )
    if "basic" in auth_modes:
        fields += [
            Field(
                "issue_tracker_user",
                "User name",
                required=True,
                shown_when=when("basic"),
                group=AUTH_GROUP.id,
            ),
            Field(
                "issue_tracker_pass",
                "Password",
                FieldKind.SECRET,
                required=True,
                shown_when=when("basic"),
                group=AUTH_GROUP.id,
            ),
        ]
    return tuple(fields)


def title_format_field() -> Field:
    """``title_format``: the ticket title template, checked when saved."""
    return Field(
        "title_format",
        "Title format",
        default="$title",
        group=TICKETS_GROUP.id,
        help="Template for ticket titles: $title, $category, $ticket_id (or $task_id).",
        validator=check_title_format,
    )


def default_labels_field() -> Field:
    """``default_labels``: labels every new ticket's form starts with (Argus's ``labels_set``)."""
    return Field(
        "default_labels",
        "Default labels",
        group=TICKETS_GROUP.id,
        help="Labels every new ticket starts with, comma-separated; the ticket form can "
        "change them.",
    )


def labels_ticket_field() -> Field:
    """The ticket form's ``labels``: extra labels, picked from the tracker's or typed new."""
    return Field(
        "labels",
        "Labels",
        help="Extra labels, comma-separated.",
        picker="labels",
        picker_adds=True,
    )


TRIAGE_FIELD = "triage_issues"
TRIAGE_OFF, TRIAGE_SERVICE_DESK, TRIAGE_ALL = "off", "service_desk", "all"


def triage_field(*, service_desk: bool) -> Field:
    """``triage_issues``: label issues that arrive another way by the ``[Category]`` in
    their title; ``service_desk`` offers "only issues opened from e-mail" (GitLab)."""
    choices = [(TRIAGE_OFF, "Off")]
    if service_desk:
        choices.append((TRIAGE_SERVICE_DESK, "Only Service Desk issues"))
    choices.append((TRIAGE_ALL, "All issues"))
    return Field(
        TRIAGE_FIELD,
        "Triage issues by category",
        FieldKind.CHOICE,
        default=TRIAGE_OFF,
        choices=tuple(choices),
        group=TICKETS_GROUP.id,
        help="An issue whose title holds [Category name], e.g. "
        "'Service Desk (from john.doe@mail.com): [Hardware] Buying a new screen', gets that "
        "category's label (created when missing); on new or retitled issues and with "
        "'Triage now'.",
    )


def task_sync_fields() -> tuple[Field, ...]:
    """The SD Elements task-sync options, optional and grouped in ``task_sync``."""
    group = TASK_SYNC_GROUP.id
    return (
        Field(
            "conflict_policy",
            "When both sides changed",
            FieldKind.CHOICE,
            default="issue_tracker",
            group=group,
            choices=(("issue_tracker", "Issue tracker wins"), ("sde", "SD Elements wins")),
        ),
        Field(
            "sde_min_priority",
            "Minimum task priority",
            FieldKind.INT,
            default=7,
            min=1,
            max=10,
            group=group,
            help="Only sync tasks with this priority or higher.",
        ),
        Field(
            "sde_statuses_in_scope",
            "Task statuses",
            FieldKind.MULTICHOICE,
            default="TODO",
            choices=(("TODO", "To do"), ("DONE", "Done"), ("NA", "Not applicable")),
            group=group,
        ),
        Field(
            "sde_verification_filter",
            "Verification status",
            FieldKind.MULTICHOICE,
            default="none,partial,pass,fail",
            group=group,
            choices=(("none", "None"), ("partial", "Partial"), ("pass", "Pass"), ("fail", "Fail")),
        ),
        Field(
            "issue_tracker_phases",
            "Phases",
            FieldKind.MULTICHOICE,
            default="requirements,architecture-design,development",
            group=group,
            choices=(
                ("requirements", "Requirements"),
                ("architecture-design", "Architecture and design"),
                ("development", "Development"),
                ("testing", "Testing"),
                ("deployment", "Deployment"),
            ),
        ),
    )


def override(fields: Iterable[Field], **changes: Mapping[str, Any]) -> tuple[Field, ...]:
    """Copy ``fields`` with per-field attribute changes, e.g. a system-specific help text.

    ``override(fields, issue_tracker_user={"label": "Email"})``; naming a field
    that is not in ``fields`` is a ValueError so typos do not pass silently.
    """
    fields = tuple(fields)
    missing = set(changes) - {field.name for field in fields}
    if missing:
        raise ValueError(f"No such fields to override: {sorted(missing)}.")
    return tuple(replace(f, **changes[f.name]) if f.name in changes else f for f in fields)
