"""Bringing connectors in and out: Argus settings and JSON bundles."""

from __future__ import annotations

from typing import Any

from webapp.api import bp
from webapp.api.auth import admin_required, api_user
from webapp.api.bodies import body_name, json_object
from webapp.services import argus_export, argus_settings, bundles, connection_tests
from webapp.services import connectors as service
from webapp.services.connector_sessions import connector_session
from webapp.services.errors import ValidationFailed

ROUTE = {"strict_slashes": False}
EXPORT_ARGUS = "/connectors/issue-tracker/<id:connector_id>/export/argus/"


def _flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise ValidationFailed({name: ["Enter true or false."]})
    return value


def _text(body: dict[str, Any], name: str, required: bool = True) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value):
        raise ValidationFailed({name: ["Enter text."]})
    return value


@bp.post("/connectors/import/argus/", **ROUTE)
@admin_required
def import_argus():
    """``{"name", "settings", "dry_run", "test"}``: settings as Python or JSON text, or
    an object; ``test`` runs the staged connection test on the connector made."""
    body = json_object()
    dry_run, run_test = _flag(body, "dry_run"), _flag(body, "test")
    plan = argus_settings.import_argus(
        api_user(), body_name(body), body.get("settings"), dry_run=dry_run
    )
    answer = plan.to_dict()
    if run_test and plan.connector is not None:
        result = connection_tests.test_saved(api_user(), connector_session(plan.connector.id))
        answer["test"] = {"success": result.ok, **result.to_dict()}
    return answer, 200 if dry_run else 201


@bp.get(EXPORT_ARGUS, **ROUTE)
def export_argus(connector_id: int):
    """The connector as Argus settings, secrets as placeholders."""
    return argus_export.export_argus(service.get_connector(connector_id)).to_dict()


@bp.post(EXPORT_ARGUS, **ROUTE)
@admin_required
def export_argus_with_secrets(connector_id: int):
    """``{"password"}``: the export with the real secrets (audited)."""
    body = json_object()
    connector = service.get_connector(connector_id)
    export = argus_export.export_argus_with_secrets(api_user(), connector, _text(body, "password"))
    return export.to_dict()


@bp.get("/connectors/export/", **ROUTE)
@admin_required
def export_bundle():
    """Every connector with its categories, without secrets."""
    return bundles.export_bundle(api_user())


@bp.post("/connectors/export/", **ROUTE)
@admin_required
def export_bundle_with_secrets():
    """``{"passphrase", "password"}``: secrets encrypted with the passphrase (audited)."""
    body = json_object()
    passphrase = _text(body, "passphrase")
    return bundles.export_bundle(api_user(), passphrase, _text(body, "password"))


@bp.post("/connectors/import/", **ROUTE)
@admin_required
def import_bundle():
    """``{"bundle", "passphrase", "dry_run"}``: create / update / unchanged per connector."""
    body = json_object()
    if "bundle" not in body:
        raise ValidationFailed({"bundle": ["Give the bundle (an object, or its JSON text)."]})
    result = bundles.import_bundle(
        api_user(),
        body["bundle"],
        passphrase=_text(body, "passphrase", required=False),
        dry_run=_flag(body, "dry_run"),
    )
    return result.to_dict()
