"""The users page and each user's own account page."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_user

from webapp.extensions import db
from webapp.models import User
from webapp.services import users as user_service
from webapp.services.errors import ServiceError
from webapp.web.access import admin_required
from webapp.web.users import bp
from webapp.web.users.forms import ChangePasswordForm, ConfirmForm, NewUserForm


@bp.route("/users", methods=["GET", "POST"])
@admin_required
def index():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = user_service.create_user(form.email.data, form.password.data, form.role.data)
        except ServiceError as error:
            getattr(form, error.field or "email").errors.append(error.message)
        else:
            flash(f"User {user.email} added.", "success")
            return redirect(url_for("users.index"))
    return render_template(
        "users/index.html", users=user_service.list_users(), form=form, confirm=ConfirmForm()
    )


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@admin_required
def toggle_active(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            user_service.set_active(current_user._get_current_object(), user, not user.active)
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
        user = current_user._get_current_object()
        try:
            user_service.change_password(user, form.current_password.data, form.password.data)
        except ServiceError as error:
            getattr(form, error.field or "password").errors.append(error.message)
        else:
            login_user(user)  # the new nonce ended this session too
            flash("Password changed. Other sessions have been logged out.", "success")
            return redirect(url_for("users.account"))
    return render_template("users/account.html", form=form)
