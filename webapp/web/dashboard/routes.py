from flask import current_app, render_template

from webapp.extensions import db
from webapp.services.connectors import connector_rows_query
from webapp.web.dashboard import bp


@bp.route("/")
def index():
    page = db.paginate(connector_rows_query(), page=1, per_page=current_app.config["PER_PAGE"])
    return render_template("dashboard/index.html", connectors=page.items, total=page.total)
