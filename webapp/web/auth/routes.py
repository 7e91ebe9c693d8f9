"""Log in, log out, and create the first administrator."""

from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, logout_user

from webapp.http.access import current_actor, public
from webapp.http.sessions import start_session
from webapp.services import setup as setup_service
from webapp.services.errors import NotFound, ServiceError
from webapp.services.logins import TooManyAttempts, log_in, record_logout
from webapp.web.auth import bp
from webapp.web.auth.forms import LoginForm, SetupForm


def safe_next_url(target: str | None) -> str:
    """Only follow ``next`` to a path on this site, never to another host."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(safe_next_url(request.args.get("next")))
    form = LoginForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        try:
            user = log_in(form.email.data, form.password.data, request.remote_addr)
        except TooManyAttempts as error:
            form.form_errors.append(error.message)
            status, headers = 429, {"Retry-After": str(error.retry_after)}
        except ServiceError as error:
            form.form_errors.append(error.message)
        else:
            start_session(user, remember=form.remember.data)
            flash("You are logged in.", "success")
            return redirect(safe_next_url(request.args.get("next")))
    page = render_template(
        "auth/login.html", form=form, show_setup_hint=setup_service.setup_needed()
    )
    return page, status, headers


@bp.route("/logout", methods=["POST"])
def logout():
    record_logout(current_actor())
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/setup", methods=["GET", "POST"])
@public
def setup():
    token = request.args.get("token", "")
    if not setup_service.setup_token_valid(token):
        abort(404, description=setup_service.LINK_USED)
    form = SetupForm()
    if form.validate_on_submit():
        try:
            user = setup_service.create_first_admin(token, form.email.data, form.password.data)
        except NotFound as error:
            abort(404, description=error.message)
        except ServiceError as error:
            getattr(form, error.field or "email").errors.append(error.message)
        else:
            start_session(user)
            flash("Welcome! Your administrator account is ready.", "success")
            return redirect(url_for("dashboard.index"))
    return render_template("auth/setup.html", form=form, token=token)
