from flask import render_template

from webapp.web.dashboard import bp


@bp.route("/")
def index():
    return render_template("dashboard/index.html")
