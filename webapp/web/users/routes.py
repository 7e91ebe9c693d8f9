"""The users page and each user's own account page."""

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from webapp.extensions import db
from webapp.http.access import admin_required, current_actor
from webapp.http.paging import page_number
from webapp.http.sessions import start_session
from webapp.models import User
from webapp.services import tokens as token_service
from webapp.services import users as user_service
from webapp.services.errors import ServiceError
from webapp.services.logins import log_out_everywhere
from webapp.services.secrets import SecretsUnreadable, decrypt_secrets, encrypt_secrets
from webapp.web.forms import ConfirmForm
from webapp.web.users import bp
from webapp.web.users.forms import ApiTokenForm, ChangePasswordForm, NewUserForm

#: Where a new API token waits, encrypted, for the page after the redirect.
NEW_TOKEN_SESSION_KEY = "new_api_token"  # noqa: S105 (a session key name, not a secret)


@bp.route("/users", methods=["GET", "POST"])
@admin_required
def index():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = user_service.create_user(
                form.email.data,
                form.password.data,
                form.role.data,
                actor=current_actor(),
            )
        except ServiceError as error:
            getattr(form, error.field or "email").errors.append(error.message)
        else:
            flash(f"User {user.email} added.", "success")
            return redirect(url_for("users.index"))
    search = request.args.get("q", "").strip()[:100]
    pagination = db.paginate(
        user_service.users_query(search),
        page=page_number(),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "users/index.html",
        pagination=pagination,
        search=search,
        form=form,
        confirm=ConfirmForm(),
    )


@bp.route("/users/<id:user_id>/active", methods=["POST"])
@admin_required
def toggle_active(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            user_service.set_active(current_actor(), user, not user.active)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            state = "reactivated" if user.active else "deactivated"
            flash(f"User {user.email} {state}.", "success")
    return redirect(url_for("users.index"))


@bp.route("/account", methods=["GET", "POST"])
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_actor()
        try:
            revoked = user_service.change_password(
                user, form.current_password.data, form.password.data, form.revoke_tokens.data
            )
        except ServiceError as error:
            getattr(form, error.field or "password").errors.append(error.message)
        else:
            start_session(user)  # the change ended every session, this one too
            message = "Password changed. Your other sessions have been logged out."
            if form.revoke_tokens.data:
                message += f" API tokens revoked: {revoked}."
            flash(message, "success")
            return redirect(url_for("users.account"))
    new_key = pop_new_token() if request.method == "GET" else None
    return render_account(form=form, new_key=new_key)


@bp.route("/account/logout-everywhere", methods=["POST"])
def logout_everywhere():
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("users.account"))
    log_out_everywhere(current_actor())
    logout_user()
    flash("You are logged out in every browser and on every device.", "info")
    return redirect(url_for("auth.login"))


def pop_new_token() -> str | None:
    """The API token created just before the redirect to this page, once."""
    ciphertext = session.pop(NEW_TOKEN_SESSION_KEY, None)
    try:
        return decrypt_secrets(ciphertext).get("key")
    except SecretsUnreadable:  # the encryption key changed in between: it is gone
        return None


def render_account(form=None, token_form=None, new_key: str | None = None):
    return render_template(
        "users/account.html",
        form=form or ChangePasswordForm(formdata=None),
        token_form=token_form or ApiTokenForm(formdata=None),
        tokens=token_service.list_tokens(current_user),
        confirm=ConfirmForm(),
        new_key=new_key,
    )


@bp.route("/account/tokens", methods=["POST"])
def create_token():
    form = ApiTokenForm()
    if not form.validate_on_submit():
        return render_account(token_form=form), 400
    user = current_actor()
    try:
        token, key = token_service.create_token(
            user, user, form.name.data, form.expires_in_days.data
        )
    except ServiceError as error:
        getattr(form, error.field or "name").errors.append(error.message)
        return render_account(token_form=form), 400
    # Post/redirect/get, so reloading the page cannot create a second token. The key
    # crosses the redirect in the session cookie, encrypted, and is shown only once.
    session[NEW_TOKEN_SESSION_KEY] = encrypt_secrets({"key": key})
    flash(f"Token “{token.name}” created.", "success")
    return redirect(url_for("users.account", _anchor="api-tokens"))


@bp.route("/account/tokens/<id:token_id>/revoke", methods=["POST"])
def revoke_token(token_id: int):
    if ConfirmForm().validate_on_submit():
        user = current_actor()
        token = token_service.get_token(token_id, owner=user)
        token_service.revoke_token(user, token)
        flash(f"Token “{token.name}” revoked.", "success")
    return redirect(url_for("users.account"))
