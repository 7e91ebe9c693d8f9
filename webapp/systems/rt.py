"""Best Practical Request Tracker (RT) tickets via its REST 2 API."""

from __future__ import annotations

from webapp.systems.base import System
from webapp.systems.common import (
    AUTH_GROUP,
    CONNECTION_GROUP,
    TASK_SYNC_GROUP,
    TICKETS_GROUP,
    connection_fields,
    override,
    task_sync_fields,
    title_format_field,
)
from webapp.systems.fields import Field, FieldGroup, FieldKind
from webapp.trackers.rt import RTClient

QUEUE_GROUP = FieldGroup("queue", "Queue")

RT = System(
    id="rt",
    short_name="RT",
    name="Request Tracker",
    description="Tickets in a Request Tracker (RT 5) queue.",
    docs_url="https://docs.bestpractical.com/rt/latest/RT/REST2.html",
    fields=(
        *override(
            connection_fields(auth_modes=("api_token", "basic")),
            issue_tracker_server={
                "help": "Host name with optional :port and /path, e.g. rt.example.com or "
                "rt.example.com/rt; without https://.",
            },
            issue_tracker_api_token={
                "label": "Auth token",
                "help": "Created in RT under Logged in as > Settings > Auth Tokens.",
            },
        ),
        Field(
            "rt_queue",
            "Queue",
            default="General",
            group=QUEUE_GROUP.id,
            help="Name of the queue new tickets go to.",
        ),
        title_format_field(),
        Field(
            "rt_custom_fields",
            "Custom fields",
            FieldKind.KEYVALUE,
            group=TICKETS_GROUP.id,
            help="Set on every new ticket; one per line as Name=value or Name: value, "
            "e.g. Severity=High.",
        ),
        *task_sync_fields(),
    ),
    groups=(CONNECTION_GROUP, AUTH_GROUP, QUEUE_GROUP, TICKETS_GROUP, TASK_SYNC_GROUP),
    target_field="rt_queue",
    client_class=RTClient,
    ticket_fields=(
        Field(
            "custom_fields",
            "Custom fields",
            FieldKind.KEYVALUE,
            help="One per line as Name=value or Name: value, e.g. Severity=High; "
            "starts from the connector's.",
        ),
        Field(
            "requestors",
            "Requestors",
            help="E-mail addresses, comma-separated, e.g. alice@example.com; "
            "RT may write to them about the ticket.",
        ),
    ),
    ticket_defaults_from={"custom_fields": "rt_custom_fields"},
    category_mapping="subject",
)
