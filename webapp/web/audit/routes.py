"""The audit log for administrators: read, filter, export. Nothing here edits or deletes."""

from flask import Response, current_app, render_template, request, stream_with_context

from webapp.extensions import db
from webapp.services import audit_log
from webapp.web.access import admin_required
from webapp.web.audit import bp
from webapp.web.paging import page_number


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
    return render_template(
        "audit/index.html",
        pagination=pagination,
        filters=filters,
        actions=audit_log.action_choices(),
        log=audit_log,
    )


@bp.route("/audit.csv")
@admin_required
def export():
    filters = audit_log.AuditFilters.from_args(request.args)
    return Response(
        stream_with_context(audit_log.csv_lines(filters)),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )
