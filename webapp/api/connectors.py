"""Connector endpoints: list, create, read, update, delete, test, versions and restore."""

from __future__ import annotations

from flask import Response, jsonify, request
from sqlalchemy.orm import selectinload

from webapp.api import bp
from webapp.api.auth import admin_only, admin_required, api_user
from webapp.api.bodies import (
    body_inaccessible,
    body_name,
    body_params,
    body_system,
    connector_changes,
    if_match_version,
    json_object,
)
from webapp.api.errors import api_error
from webapp.api.serializers import connector_response, connector_to_dict, version_to_dict
from webapp.http.paging import page_of
from webapp.http.public_url import base_url
from webapp.models import Connector
from webapp.services import connection_tests, webhooks
from webapp.services import connector_history as history
from webapp.services import connectors as service
from webapp.services.connector_sessions import connector_session

COLLECTION = "/connectors/issue-tracker/"
ITEM = "/connectors/issue-tracker/<id:connector_id>/"
# strict_slashes=False: the paths answer with and without the trailing slash, without
# a redirect (clients need not follow a 308 on POST).
ROUTE = {"strict_slashes": False}


#: A page of the connector list holds this many unless ``?page_size=`` says otherwise:
#: SD Elements documents the list as "all connectors", and few installations have more.
CONNECTORS_PER_PAGE = 100


@bp.get(COLLECTION, **ROUTE)
def list_connectors():
    query = service.connectors_query(request.args.get("name", ""), request.args.get("system", ""))
    query = query.options(selectinload(Connector.webhook))  # one query for every row's hook
    return page_of(query, connector_to_dict, CONNECTORS_PER_PAGE)


@bp.post(COLLECTION, **ROUTE)
@admin_required
def create_connector():
    body = json_object()
    system = body_system(body)
    connector = service.create_connector(api_user(), system.id, connector_changes(body, system))
    return connector_response(connector, 201)


@bp.get(ITEM, **ROUTE)
def get_connector(connector_id: int):
    return connector_response(service.get_connector(connector_id))


@bp.patch(ITEM, **ROUTE)
@admin_required
def update_connector(connector_id: int):
    session = connector_session(connector_id)
    changes = connector_changes(json_object(), session.system, session.connector)
    return connector_response(service.update_connector(api_user(), session.connector, changes))


@bp.delete(ITEM, **ROUTE)
@admin_required
def delete_connector(connector_id: int):
    service.delete_connector(api_user(), service.get_connector(connector_id))
    return Response(status=204)


@bp.post("/connectors/test-issue-tracker/", **ROUTE)
@admin_only(connection_tests.UNSAVED_ADMIN_ONLY)
def test_unsaved_connector():
    body = json_object()
    system = body_system(body)
    result = connection_tests.test_unsaved(
        api_user(),
        system.id,
        body_name(body),
        body_params(body, system),
        inaccessible=body_inaccessible(body),
    )
    return {"success": result.ok, **result.to_dict()}


@bp.post(ITEM + "test/", **ROUTE)
def test_saved_connector(connector_id: int):
    result = connection_tests.test_saved(api_user(), connector_session(connector_id))
    return {"success": result.ok, **result.to_dict()}


@bp.post(ITEM + "webhook/rotate/", **ROUTE)
@admin_required
def rotate_webhook(connector_id: int):
    """Generate or replace the webhook secret: this answer is the only one that holds it."""
    hook, secret = webhooks.rotate_secret(api_user(), service.get_connector(connector_id))
    response = jsonify({"url": webhooks.hook_url(hook, base_url()), "secret": secret})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get(ITEM + "versions/", **ROUTE)
def list_versions(connector_id: int):
    """The connector's versions, newest first, a page at a time."""
    connector = service.get_connector(connector_id)
    return page_of(history.versions_query(connector), version_to_dict)


@bp.post(ITEM + "versions/<id:number>/restore/", **ROUTE)
@admin_required
def restore_version(connector_id: int, number: int):
    """Save version ``number`` as the next version; 409 names the secrets to send in
    ``params`` when the stored ones cannot follow (another server, method or auth)."""
    session = connector_session(connector_id)
    body = json_object() if request.content_length or request.data else {}
    secrets = body_params(body, session.system) if "params" in body else {}
    try:
        version = history.restore_version(
            api_user(),
            session.connector,
            number,
            typed_secrets=secrets,
            expected_version=if_match_version(),
        )
    except history.SecretsNeeded as error:
        return api_error(409, error.message, error.errors)
    response = jsonify(
        {"version": version_to_dict(version), "connector": connector_to_dict(session.connector)}
    )
    response.set_etag(str(session.connector.version))
    return response
