"""A third-party system, as a plugin distribution would declare it."""

from webapp.schema.fields import Field, FieldGroup, FieldKind
from webapp.trackers.common import AUTH_GROUP, CONNECTION_GROUP, connection_fields
from webapp.trackers.system import System

YOUTRACK = System(
    id="youtrack",
    short_name="YouTrack",
    name="YouTrack (plugin)",
    description="Issues in JetBrains YouTrack, added by a plugin.",
    docs_url="https://www.jetbrains.com/help/youtrack/devportal/api-concepts.html",
    fields=(
        *connection_fields(),
        Field(
            "youtrack_project",
            "Project short name",
            FieldKind.STRING,
            required=True,
            group="project",
            help="e.g. OPS",
        ),
    ),
    groups=(CONNECTION_GROUP, AUTH_GROUP, FieldGroup("project", "Project")),
    target_field="youtrack_project",
)
