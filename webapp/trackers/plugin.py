"""Everything a tracker module needs, in one import: the built-in trackers and third-party
plugins use the same names (see docs/plugins.md).

A plugin imports from here rather than from the modules behind it, so those can move
without breaking plugins.
"""

from webapp.outbound.diagnosis import flatten
from webapp.outbound.results import Stage, StageResult, StageStatus
from webapp.schema.fields import Field, FieldGroup, FieldKind
from webapp.trackers.base import Reply, StageFailed, TrackerClient
from webapp.trackers.common import (
    AUTH_GROUP,
    CONNECTION_GROUP,
    TASK_SYNC_GROUP,
    TICKETS_GROUP,
    connection_fields,
    override,
    task_sync_fields,
    title_format_field,
)
from webapp.trackers.issues import CREATED, EXISTS, FAILED, split_list
from webapp.trackers.repositories import RepositoryClient
from webapp.trackers.system import System
from webapp.trackers.tickets import CreatedIssue, DeliveryFailed, IssueDraft, LabelOutcome

__all__ = [
    "AUTH_GROUP",
    "CONNECTION_GROUP",
    "CREATED",
    "EXISTS",
    "FAILED",
    "TASK_SYNC_GROUP",
    "TICKETS_GROUP",
    "CreatedIssue",
    "DeliveryFailed",
    "Field",
    "FieldGroup",
    "FieldKind",
    "IssueDraft",
    "LabelOutcome",
    "Reply",
    "RepositoryClient",
    "Stage",
    "StageFailed",
    "StageResult",
    "StageStatus",
    "System",
    "TrackerClient",
    "connection_fields",
    "flatten",
    "override",
    "split_list",
    "task_sync_fields",
    "title_format_field",
]
