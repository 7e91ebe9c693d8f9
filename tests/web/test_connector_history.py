"""The history page: versions, a side-by-side comparison without JavaScript, and restore."""

from __future__ import annotations

import html
import re

from tests.factories import make_connector, make_user
from tests.support.material import material_for
from webapp.extensions import db
from webapp.models import ConnectorVersion
from webapp.services import secret_wording
from webapp.services.connectors import ConnectorChanges, set_disabled, update_connector
from webapp.services.secrets import connector_secrets

TOKEN_NAME, TOKEN = material_for("gitlab").secret
NEW_TOKEN = "glpat-SECRET-second-token-1f2e3d"


def edit(actor, connector, **params):
    name = params.pop("name", connector.name)
    categories = params.pop("categories", None)
    update_connector(
        actor,
        connector,
        ConnectorChanges(name=name, params=params, keep_missing_params=True, categories=categories),
    )


def numbers(connector) -> list[int]:
    return list(
        db.session.scalars(
            db.select(ConnectorVersion.number)
            .where(ConnectorVersion.connector_id == connector.id)
            .order_by(ConnectorVersion.number)
        )
    )


def test_detail_page_links_to_the_history(admin_client, admin):
    connector = make_connector("gitlab", actor=admin)
    page = admin_client.get(f"/connectors/{connector.id}").get_data(as_text=True)
    assert f'href="/connectors/{connector.id}/history"' in page


def test_history_lists_versions_with_who_how_and_what(admin_client, admin):
    connector = make_connector("gitlab", name="Listed", actor=admin)
    edit(admin, connector, gitlab_project="group/two", issue_tracker_api_token=NEW_TOKEN)
    set_disabled(admin, connector, True)
    page = admin_client.get(f"/connectors/{connector.id}/history").get_data(as_text=True)
    assert page.count('data-testid="version-row"') == 3
    assert admin.email in page and "on a page" in page
    assert "Disabled" in page and "(secret) changed" in page
    assert TOKEN not in page and NEW_TOKEN not in page
    # Older versions can be restored; the current one cannot.
    assert page.count('data-testid="restore-link"') == 2


def test_two_versions_compare_side_by_side_with_a_plain_get_form(admin_client, admin):
    connector = make_connector("gitlab", name="Compared", actor=admin)
    edit(
        admin,
        connector,
        gitlab_project="group/two",
        issue_tracker_api_token=NEW_TOKEN,
        categories=[{"name": "Bug", "label": "bug", "colour": "#aa0000"}],
    )
    set_disabled(admin, connector, True)
    page = admin_client.get(f"/connectors/{connector.id}/history").get_data(as_text=True)
    # The form is a GET form with two radio columns: no JavaScript needed.
    assert re.search(r'<form method="get"[^>]*data-testid="compare-form"', page)
    assert 'type="radio" name="a" value="2"' in page and 'type="radio" name="b" value="3"' in page
    page = admin_client.get(f"/connectors/{connector.id}/history?a=1&b=3").get_data(as_text=True)
    assert "Version 1 compared with version 3" in page
    diff = page.split('data-testid="version-diff"')[1].split("</table>")[0]
    changed = re.findall(r'<tr class="table-warning" data-changed="1"[^>]*>(.*?)</tr>', diff, re.S)
    text = [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in changed]
    assert any("group/project group/two" in row for row in text)
    assert any(row.startswith("Enabled enabled disabled") for row in text)
    assert any(row.startswith("Bug — label bug · #aa0000") for row in text)
    assert any("stored stored (changed)" in row for row in text)
    assert TOKEN not in page and NEW_TOKEN not in page


def test_comparing_a_missing_version_says_so(admin_client, admin):
    connector = make_connector("gitlab", actor=admin)
    response = admin_client.get(f"/connectors/{connector.id}/history?a=1&b=99")
    assert response.status_code == 200
    assert "has no version 99" in response.get_data(as_text=True)


def test_history_is_paginated(admin_client, admin, app):
    app.config["PER_PAGE"] = 2
    connector = make_connector("gitlab", actor=admin)
    for number in range(4):
        edit(admin, connector, gitlab_project=f"group/p{number}")
    first = admin_client.get(f"/connectors/{connector.id}/history").get_data(as_text=True)
    assert re.findall(r'data-number="(\d+)"', first) == ["5", "4"]
    third = admin_client.get(f"/connectors/{connector.id}/history?page=3").get_data(as_text=True)
    assert re.findall(r'data-number="(\d+)"', third) == ["1"]


def test_viewers_read_the_history_but_cannot_restore(client, auth, admin):
    connector = make_connector("gitlab", actor=admin)
    edit(admin, connector, gitlab_project="group/two")
    make_user("viewer@example.com", role="viewer")
    auth.login("viewer@example.com")
    page = client.get(f"/connectors/{connector.id}/history")
    assert page.status_code == 200 and "restore-link" not in page.get_data(as_text=True)
    assert client.get(f"/connectors/{connector.id}/history/1/restore").status_code == 403
    assert client.submit(f"/connectors/{connector.id}/history/1/restore").status_code == 403
    assert numbers(connector) == [1, 2]


def test_restore_with_the_same_server_keeps_the_secret(admin_client, admin):
    connector = make_connector("gitlab", name="Same place", actor=admin)
    edit(admin, connector, gitlab_project="group/two", name="Renamed")
    confirm = admin_client.get(f"/connectors/{connector.id}/history/1/restore")
    text = confirm.get_data(as_text=True)
    assert "The stored secret is kept" in text and 'data-testid="confirm-restore"' in text
    response = admin_client.submit(
        f"/connectors/{connector.id}/history/1/restore", {"version": str(connector.version)}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/connectors/{connector.id}/history"
    db.session.refresh(connector)
    assert connector.name == "Same place"
    assert connector.params["gitlab_project"] == "group/project"
    assert connector_secrets(connector) == {TOKEN_NAME: TOKEN}
    assert numbers(connector) == [1, 2, 3]
    page = admin_client.get(f"/connectors/{connector.id}/history").get_data(as_text=True)
    assert "Version 1 restored as version 3" in page and "by restoring a version" in page


def test_restore_refuses_a_stale_confirmation(admin_client, admin):
    connector = make_connector("gitlab", actor=admin)
    edit(admin, connector, gitlab_project="group/two")
    stale = str(connector.version)
    edit(admin, connector, gitlab_project="group/three")
    response = admin_client.submit(
        f"/connectors/{connector.id}/history/1/restore", {"version": stale}, follow_redirects=True
    )
    assert "after you opened the form" in response.get_data(as_text=True)
    assert numbers(connector) == [1, 2, 3]


def test_restore_without_csrf_changes_nothing(admin_client, admin):
    connector = make_connector("gitlab", actor=admin)
    edit(admin, connector, gitlab_project="group/two")
    admin_client.post(
        f"/connectors/{connector.id}/history/1/restore",
        data={"version": str(connector.version), "csrf_token": "forged"},
    )
    assert numbers(connector) == [1, 2]


def test_restore_to_another_server_asks_for_the_secret_on_the_form(admin_client, admin):
    connector = make_connector("gitlab", name="Moved", actor=admin)
    edit(
        admin,
        connector,
        issue_tracker_server="gitlab.new.example",
        issue_tracker_api_token=NEW_TOKEN,
    )
    confirm = admin_client.get(f"/connectors/{connector.id}/history/1/restore").get_data(
        as_text=True
    )
    assert 'data-testid="secret-needed"' in confirm and "confirm-restore" not in confirm
    # Posting anyway (an old page) leads to the form instead of restoring.
    response = admin_client.submit(
        f"/connectors/{connector.id}/history/1/restore", {"version": str(connector.version)}
    )
    form_url = f"/connectors/{connector.id}/history/1/restore/form"
    assert response.status_code == 302 and response.headers["Location"] == form_url
    page = admin_client.get(form_url).get_data(as_text=True)
    assert 'value="gitlab.example.com"' in page  # the version's server, pre-filled
    assert "Type this secret again" in page
    assert 'data-testid="form-error-summary"' not in page  # asked for, not yet wrong
    assert TOKEN not in page and NEW_TOKEN not in page

    fields = {
        "name": "Moved",
        **material_for("gitlab").form_params,
        TOKEN_NAME: "",
        "version": str(connector.version),
    }
    refused = admin_client.submit(form_url, fields)
    assert refused.status_code == 200 and numbers(connector) == [1, 2]
    assert 'data-testid="form-error-summary"' in refused.get_data(as_text=True)

    saved = admin_client.submit(form_url, {**fields, TOKEN_NAME: TOKEN})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    db.session.refresh(connector)
    assert connector.params["issue_tracker_server"] == "gitlab.example.com"
    assert connector_secrets(connector) == {TOKEN_NAME: TOKEN}
    (last,) = db.session.scalars(
        db.select(ConnectorVersion).where(ConnectorVersion.number == 3)
    ).all()
    assert last.restored_from == 1 and last.via == "restore"
    assert last.secrets_changed == [TOKEN_NAME]


def test_restoring_a_version_that_does_not_exist_is_404(admin_client, admin):
    connector = make_connector("gitlab", actor=admin)
    assert admin_client.get(f"/connectors/{connector.id}/history/7/restore").status_code == 404
    assert admin_client.get(f"/connectors/{connector.id}/history/7/restore/form").status_code == 404


def test_a_copy_made_on_the_page_starts_with_version_one_made_on_a_page(admin_client, admin):
    source = make_connector("gitlab", name="Original", actor=admin)
    fields = {
        "name": "The copy",
        **material_for("gitlab").form_params,
        TOKEN_NAME: "",
    }
    response = admin_client.submit(f"/connectors/{source.id}/clone", fields)
    assert response.status_code == 302, response.get_data(as_text=True)
    copy_id = int(response.headers["Location"].rsplit("/", 1)[1])
    (version,) = db.session.scalars(
        db.select(ConnectorVersion).where(ConnectorVersion.connector_id == copy_id)
    ).all()
    assert (version.number, version.name, version.via) == (1, "The copy", "page")
    assert version.secret_names == [TOKEN_NAME] and version.actor_email == admin.email


def test_testing_the_restore_form_without_javascript_stays_a_restore(admin_client, admin):
    connector = make_connector("gitlab", name="Tested", actor=admin)
    edit(
        admin,
        connector,
        issue_tracker_server="gitlab.new.example",
        issue_tracker_api_token=NEW_TOKEN,
    )
    form_url = f"/connectors/{connector.id}/history/1/restore/form"
    fields = {
        "name": "Tested",
        **material_for("gitlab").form_params,
        TOKEN_NAME: "",
        "version": str(connector.version),
    }
    response = admin_client.submit(form_url + "/test", fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'action="{form_url}"' in page and "Restore version 1" in page
    # The stored token would go to another server: the test asks for it, as saving does.
    assert html.unescape(secret_wording.REENTER_MESSAGE) in html.unescape(page)
    assert NEW_TOKEN not in page and TOKEN not in page
    assert numbers(connector) == [1, 2]
