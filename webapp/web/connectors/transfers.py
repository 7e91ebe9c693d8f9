"""Import page (Argus settings, JSON bundles), bundle download and Argus export pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Response, flash, redirect, render_template, url_for

from webapp.http.access import admin_required, current_actor
from webapp.services import argus_export, argus_settings, bundles
from webapp.services import connectors as service
from webapp.services.errors import ServiceError, ValidationFailed
from webapp.web.connectors import bp
from webapp.web.connectors.transfer_forms import (
    ArgusImportForm,
    BundleExportForm,
    BundleImportForm,
    SecretsPasswordForm,
    spread_errors,
)


def render_import(argus_form=None, bundle_form=None, export_form=None, **extra):
    return render_template(
        "connectors/import.html",
        argus_form=argus_form or ArgusImportForm(formdata=None),
        bundle_form=bundle_form or BundleImportForm(formdata=None),
        export_form=export_form or BundleExportForm(formdata=None),
        **extra,
    )


@bp.route("/connectors/import", methods=["GET", "POST"])
@admin_required
def import_page():
    """Argus settings: a dry run shows the connector and unmapped keys; Create saves it."""
    form = ArgusImportForm()
    plan = None
    if form.validate_on_submit():
        dry_run = not form.create.data
        text = form.settings_text()
        try:
            plan = argus_settings.import_argus(
                current_actor(), form.name.data, text, dry_run=dry_run
            )
        except ValidationFailed as error:
            spread_errors(form, error.errors, form.settings)
        except ServiceError as error:
            form.form_errors.append(error.message)
        else:
            if plan.connector is not None:
                flash(
                    f"Connector “{plan.connector.name}” created from Argus settings. "
                    "Test its connection now to check the credentials and target.",
                    "success",
                )
                return redirect(url_for("connectors.detail", connector_id=plan.connector.id))
            form.keep_sealed(text)
    return render_import(argus_form=form, plan=plan)


@bp.route("/connectors/import/bundle", methods=["POST"])
@admin_required
def import_bundle_page():
    """Preview shows create / update / unchanged per connector; Import applies them."""
    form = BundleImportForm()
    result = None
    if form.validate_on_submit():
        dry_run = not form.apply.data
        form.bundle.data = form.bundle_text()  # kept for "Import" (secrets in it are sealed)
        try:
            result = bundles.import_bundle(
                current_actor(),
                form.bundle.data,
                passphrase=form.passphrase.data or None,
                dry_run=dry_run,
            )
        except ValidationFailed as error:
            spread_errors(form, error.errors, form.bundle)
        except ServiceError as error:
            form.form_errors.append(error.message)
        else:
            if not dry_run:
                counts = result.counts()
                flash(
                    f"Bundle imported: {counts['create']} created, {counts['update']} updated, "
                    f"{counts['unchanged']} unchanged.",
                    "success",
                )
                return redirect(url_for("connectors.index"))
    return render_import(bundle_form=form, bundle_result=result)


@bp.route("/connectors/export", methods=["POST"])
@admin_required
def export_bundle_page():
    """Download every connector as a JSON bundle (secrets only with passphrase and password)."""
    form = BundleExportForm()
    if form.validate_on_submit():
        passphrase = form.passphrase.data if form.include_secrets.data else None
        if form.include_secrets.data and not passphrase:
            form.passphrase.errors = ["Give a passphrase to include secrets."]
        else:
            try:
                bundle = bundles.export_bundle(current_actor(), passphrase, form.password.data)
            except ValidationFailed as error:
                spread_errors(form, error.errors, form.passphrase)
            except ServiceError as error:
                form.form_errors.append(error.message)
            else:
                stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
                return Response(
                    json.dumps(bundle, indent=2, ensure_ascii=False),
                    mimetype="application/json",
                    headers={
                        "Content-Disposition": f"attachment; filename=connectors-{stamp}.json"
                    },
                )
    return render_import(export_form=form), 400


@bp.route("/connectors/<id:connector_id>/export/argus")
def export_argus(connector_id: int):
    """The connector as Argus settings, secrets as placeholders."""
    connector = service.get_connector(connector_id)
    return _render_export(connector, SecretsPasswordForm(formdata=None))


@bp.route("/connectors/<id:connector_id>/export/argus", methods=["POST"])
@admin_required
def export_argus_secrets(connector_id: int):
    """The same with the secrets, once the administrator re-enters their password."""
    connector = service.get_connector(connector_id)
    form = SecretsPasswordForm()
    if form.validate_on_submit():
        try:
            export = argus_export.export_argus_with_secrets(
                current_actor(), connector, form.password.data
            )
        except ValidationFailed as error:
            spread_errors(form, error.errors, form.password)
        else:
            return _render_export(connector, form, export)
    return _render_export(connector, form)


def _render_export(connector, form, export=None):
    error = None
    if export is None:
        try:
            export = argus_export.export_argus(connector)
        except ServiceError as failure:
            error = failure.message
    return render_template(
        "connectors/export_argus.html", connector=connector, export=export, form=form, error=error
    )
