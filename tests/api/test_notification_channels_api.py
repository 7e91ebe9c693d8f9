"""/api/v2/notification-channels/: administrators manage channels; the URL is write-only
(masked as ``<scheme>://****``), bad input is a 400 naming the field."""

from __future__ import annotations

from tests.factories import make_connector
from webapp.extensions import db
from webapp.models import Notification
from webapp.services.notification_channels import channel_url, get_channel
from webapp.services.notifications import DELIVERY_FAILED, TEST, TICKET_CREATED

PATH = "/notification-channels/"
SECRET_URL = "discord://4242424242/Api-Secret-Webhook-Token-456"


def body(**changes) -> dict:
    return {"name": "Ops room", "url": SECRET_URL, "events": [TICKET_CREATED], **changes}


def test_create_answers_the_channel_with_the_url_masked(api):
    response = api.post(PATH, json=body())
    assert response.status_code == 201
    data = response.get_json()
    assert data["url"] == "discord://****"
    assert data["scheme"] == "discord"
    assert (data["events"], data["all_connectors"], data["enabled"]) == (
        [TICKET_CREATED],
        True,
        True,
    )
    assert channel_url(get_channel(data["id"])) == SECRET_URL
    listed = api.get(PATH).get_data(as_text=True)
    assert "Api-Secret" not in listed and "4242424242" not in listed


def test_patch_without_url_or_with_the_mask_keeps_it(api):
    channel_id = api.post(PATH, json=body()).get_json()["id"]
    assert api.patch(f"{PATH}{channel_id}/", json={"name": "Renamed"}).status_code == 200
    assert api.patch(f"{PATH}{channel_id}/", json={"url": "discord://****"}).status_code == 200
    channel = get_channel(channel_id)
    assert (channel.name, channel_url(channel)) == ("Renamed", SECRET_URL)


def test_patch_replaces_url_and_events(api):
    channel_id = api.post(PATH, json=body()).get_json()["id"]
    response = api.patch(
        f"{PATH}{channel_id}/",
        json={"url": "json://hooks.example.com/in", "events": [DELIVERY_FAILED]},
    )
    assert response.get_json()["url"] == "json://****"
    assert response.get_json()["events"] == [DELIVERY_FAILED]


def test_unknown_scheme_is_a_field_error(api):
    response = api.post(PATH, json=body(url="gopher://x/y"))
    assert response.status_code == 400
    assert "gopher://" in response.get_json()["errors"]["url"][0]


def test_errors_name_each_field_and_never_quote_the_url(api):
    response = api.post(
        PATH,
        json={"name": "", "url": "discord://only-id-Secret999", "events": ["nope"]},
    )
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert set(errors) == {"name", "url", "events"}
    assert "Secret999" not in response.get_data(as_text=True)


def test_wrong_types_are_field_errors(api):
    response = api.post(
        PATH, json=body(events="ticket.created", enabled="yes", connector_ids=["1"])
    )
    assert response.status_code == 400
    assert set(response.get_json()["errors"]) == {"events", "enabled", "connector_ids"}


def test_chosen_connectors(api, app):
    connector = make_connector("gitlab", name="Chosen")
    response = api.post(PATH, json=body(all_connectors=False, connector_ids=[connector.id]))
    assert response.get_json()["connectors"] == [{"id": connector.id, "name": "Chosen"}]
    missing = api.post(PATH, json=body(name="Other", all_connectors=False, connector_ids=[999]))
    assert missing.status_code == 400 and "999" in missing.get_json()["errors"]["connector_ids"][0]


def test_duplicate_name_is_a_field_error(api):
    api.post(PATH, json=body())
    response = api.post(PATH, json=body(name="ops  ROOM"))
    assert response.status_code == 400 and "name" in response.get_json()["errors"]


def test_delete(api):
    channel_id = api.post(PATH, json=body()).get_json()["id"]
    assert api.delete(f"{PATH}{channel_id}/").status_code == 204
    assert api.get(f"{PATH}{channel_id}/").status_code == 404


def test_test_queues_a_notification_and_lists_it(api):
    channel_id = api.post(PATH, json=body()).get_json()["id"]
    response = api.post(f"{PATH}{channel_id}/test/")
    assert response.status_code == 202
    assert response.get_json()["notification"]["status"] == "pending"
    (row,) = db.session.scalars(db.select(Notification)).all()
    assert row.event == TEST
    listed = api.get(f"{PATH}{channel_id}/notifications/").get_json()["results"]
    assert [n["event"] for n in listed] == [TEST]


def test_viewers_get_403(viewer_api, api):
    channel_id = api.post(PATH, json=body()).get_json()["id"]
    assert viewer_api.get(PATH).status_code == 403
    assert viewer_api.get(f"{PATH}{channel_id}/").status_code == 403
    assert viewer_api.post(PATH, json=body(name="Mine")).status_code == 403
