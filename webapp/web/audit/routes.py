"""The audit log for administrators: read, filter, export. Nothing here edits or deletes."""

from flask import Response, current_app, render_template, request, stream_with_context, url_for

from webapp.extensions import db
from webapp.http.access import admin_required
from webapp.http.paging import page_number
from webapp.models import AuditEntry
from webapp.services import audit_log
from webapp.web.audit import bp

#: The page that shows each kind of target (users have a row on the users page).
TARGET_PAGES = {
    "connector": lambda target_id: url_for("connectors.detail", connector_id=target_id),
    "ticket": lambda target_id: url_for("tickets.detail", ticket_id=target_id),
    "user": lambda target_id: url_for("users.index", _anchor=f"user-{target_id}"),
}


@bp.route("/audit")
@admin_required
def index():
    filters = audit_log.AuditFilters.from_args(request.args)
    pagination = db.paginate(
        audit_log.entries_query(filters),
        page=page_number(),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    existing = audit_log.existing_targets(pagination.items)
    return render_template(
        "audit/index.html",
        pagination=pagination,
        filters=filters,
        actions=audit_log.action_choices(),
        log=audit_log,
        target_url_of=lambda entry: target_url(entry, existing),
    )


def target_url(entry: AuditEntry, existing: set[tuple[str, int]]) -> str | None:
    """The page of the entry's target, if it has one and still exists."""
    page = TARGET_PAGES.get(entry.target_type or "")
    if page is None or (entry.target_type, entry.target_id) not in existing:
        return None
    return page(entry.target_id)


@bp.route("/audit.csv")
@admin_required
def export():
    filters = audit_log.AuditFilters.from_args(request.args)
    return Response(
        stream_with_context(audit_log.csv_lines(filters)),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )
