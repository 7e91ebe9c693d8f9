"""The API's webhook: the connector's ``webhook`` state, and rotation (the secret once)."""

from __future__ import annotations

from tests.factories import make_connector
from tests.support import webhook_samples as samples
from webapp.extensions import db
from webapp.models import AuditEntry, ConnectorWebhook


def test_a_connector_says_where_its_webhook_is_never_the_secret(app, api, client):
    connector = make_connector("gitlab", name="Hooked")
    body = api.get(f"/connectors/issue-tracker/{connector.id}/").get_json()
    assert body["webhook"] == {
        "url": None,
        "configured": False,
        "last_received_at": None,
        "events_received": 0,
    }
    rotated = api.post(f"/connectors/issue-tracker/{connector.id}/webhook/rotate/")
    assert rotated.status_code == 200
    assert rotated.headers["Cache-Control"] == "no-store"
    answer = rotated.get_json()
    assert set(answer) == {"url", "secret"}
    hook = db.session.get(ConnectorWebhook, connector.id)
    assert answer["url"] == f"http://localhost/hooks/{hook.hook_id}"
    delivery = samples.gitlab_delivery(answer["secret"], samples.gitlab_issue(5, "update"))
    assert client.post(f"/hooks/{hook.hook_id}", data=delivery.body, headers=delivery.headers)
    got = api.get(f"/connectors/issue-tracker/{connector.id}/")
    text = got.get_data(as_text=True)
    assert answer["secret"] not in text
    webhook = got.get_json()["webhook"]
    assert webhook["url"] == answer["url"] and webhook["configured"] is True
    assert webhook["events_received"] == 1 and webhook["last_received_at"]
    listed = api.get("/connectors/issue-tracker/").get_data(as_text=True)
    assert answer["secret"] not in listed and answer["url"] in listed
    audit = db.session.query(AuditEntry).filter_by(action="connector.webhook_secret").one()
    assert answer["secret"] not in str(audit.details)


def test_public_base_url_makes_the_hook_address(app, api):
    app.config["PUBLIC_BASE_URL"] = "https://desk.example.com"
    connector = make_connector("github")
    answer = api.post(f"/connectors/issue-tracker/{connector.id}/webhook/rotate").get_json()
    assert answer["url"].startswith("https://desk.example.com/hooks/")


def test_viewers_cannot_rotate(app, viewer_api):
    connector = make_connector("gitlab")
    response = viewer_api.post(f"/connectors/issue-tracker/{connector.id}/webhook/rotate/")
    assert response.status_code == 403
    assert db.session.get(ConnectorWebhook, connector.id) is None


def test_request_tracker_has_none_to_rotate(app, api):
    connector = make_connector("rt")
    response = api.post(f"/connectors/issue-tracker/{connector.id}/webhook/rotate/")
    assert response.status_code == 400
    assert "sends no webhooks" in response.get_data(as_text=True)
    assert (
        api.get(f"/connectors/issue-tracker/{connector.id}/").get_json()["webhook"]["url"] is None
    )


def test_an_unknown_connector_is_404(app, api):
    assert api.post("/connectors/issue-tracker/999/webhook/rotate/").status_code == 404


def test_the_openapi_document_describes_it(client):
    document = client.get("/api/v2/openapi.json").get_json()
    assert "/connectors/issue-tracker/{id}/webhook/rotate/" in document["paths"]
    connector = document["components"]["schemas"]["Connector"]["properties"]
    assert connector["webhook"] == {"$ref": "#/components/schemas/WebhookStatus"}
