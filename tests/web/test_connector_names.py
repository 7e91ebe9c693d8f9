"""Connector names are one name however they are cased, spaced or padded with invisible
characters, and a database index keeps them unique even for requests that race (as it
does user e-mails)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, text

from tests.api.conftest import API, new_key
from tests.factories import make_connector
from tests.support.connector_data import FORM_PARAMS, api_params
from webapp.extensions import db
from webapp.models import Connector, User
from webapp.services.connectors import ConnectorChanges, create_connector, update_connector
from webapp.services.errors import ServiceError, ValidationFailed
from webapp.services.users import EMAIL_TAKEN, create_user

TAKEN = "A connector with this name already exists."
LOOK_ALIKES = [
    "Legit\tGitLab",
    "Legit GitLab\u200b",
    "\u200bLegit  GitLab",
    "legit gitlab",
    "LEGIT GITLAB",
    "Ｌｅｇｉｔ GitLab",  # full-width
    "Legit\u00a0GitLab",  # no-break space
    "Legit Git\u200dLab",  # zero-width joiner
]


def names() -> list[str]:
    return sorted(db.session.scalars(db.select(Connector.name)))


def api_body(name: str) -> dict:
    return {"name": name, "system": {"id": "gitlab"}, "params": api_params("gitlab")}


@pytest.mark.parametrize("look_alike", LOOK_ALIKES)
def test_a_look_alike_of_a_name_is_refused_on_the_form(admin_client, look_alike):
    make_connector("gitlab", name="Legit GitLab")
    data = {"name": look_alike, **FORM_PARAMS["gitlab"]}
    page = admin_client.submit("/connectors/new/gitlab", data).get_data(as_text=True)
    assert TAKEN in page.split('data-field="name"')[1].split("</div>\n  </div>")[0]
    assert names() == ["Legit GitLab"]


@pytest.mark.parametrize("look_alike", LOOK_ALIKES)
def test_a_look_alike_of_a_name_is_refused_by_the_api(app, admin, look_alike):
    make_connector("gitlab", name="Legit GitLab")
    client = app.test_client()
    response = client.post(
        f"{API}/connectors/issue-tracker/",
        json=api_body(look_alike),
        headers={"Authorization": f"Token {new_key(admin)}"},
    )
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"name": [TAKEN]}
    assert names() == ["Legit GitLab"]


def test_names_are_stored_normalised(admin):
    connector = make_connector("gitlab", name="\u200b  Ｏｐｓ\t\tTracker \u2060", actor=admin)
    assert connector.name == "Ops Tracker"
    assert connector.name_key == "ops tracker"


def test_renaming_to_a_look_alike_of_another_connector_is_refused(admin):
    make_connector("gitlab", name="Legit GitLab")
    other = make_connector("gitlab", name="Other")
    changes = ConnectorChanges("legit  GITLAB\u200b", {}, keep_missing_params=True)
    with pytest.raises(ValidationFailed) as refused:
        update_connector(admin, other, changes)
    assert refused.value.errors == {"name": [TAKEN]}
    assert names() == ["Legit GitLab", "Other"]


def test_a_connector_may_change_the_case_of_its_own_name(admin):
    connector = make_connector("gitlab", name="Legit GitLab")
    changes = ConnectorChanges("LEGIT GitLab", {}, keep_missing_params=True)
    assert update_connector(admin, connector, changes).name == "LEGIT GitLab"


def test_category_names_are_one_name_in_any_case_or_spacing(admin_client):
    data = {
        "name": "With categories",
        **FORM_PARAMS["gitlab"],
        "categories-0-name": "Hardware",
        "categories-1-name": "hard\u200bware ",
    }
    page = admin_client.submit("/connectors/new/gitlab", data).get_data(as_text=True)
    assert "This category is listed twice." in page
    assert names() == []


RIVAL_CONNECTOR = (
    "INSERT INTO connectors (name, name_key, system_id, params, secret_names, inaccessible,"
    " disabled, version, created_at, updated_at, delivery_failures) VALUES ('racecase',"
    " 'racecase', 'gitlab', '{}', '[]', false, false, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0)"
)
RIVAL_USER = (
    "INSERT INTO users (email, password_hash, role, active, session_nonce, created_at,"
    " ticket_defaults) VALUES ('race@example.com', 'x', 'viewer', true, 'n', CURRENT_TIMESTAMP,"
    " '{}')"
)


@pytest.fixture
def rival_saves_first(app):
    """``rival(model, sql)``: between the service's check and its write of a ``model`` row,
    another connection commits ``sql`` — the race a unique index must win."""
    state, listeners = {"done": False}, []

    def rival(model, sql):
        def insert(session, flush_context, instances):
            if not state["done"] and any(isinstance(row, model) for row in session.new):
                state["done"] = True
                with db.engine.connect() as other:
                    other.execute(text(sql))
                    other.commit()

        event.listen(db.session, "before_flush", insert)
        listeners.append(insert)
        return state

    yield rival
    for insert in listeners:
        event.remove(db.session, "before_flush", insert)


def test_a_name_saved_by_a_racing_request_is_refused_on_the_name_field(rival_saves_first):
    raced = rival_saves_first(Connector, RIVAL_CONNECTOR)
    changes = ConnectorChanges("RaceCase", api_params("gitlab"))
    with pytest.raises(ValidationFailed) as refused:
        create_connector(None, "gitlab", changes)
    assert raced["done"]
    assert refused.value.errors == {"name": [TAKEN]}
    assert names() == ["racecase"]


def test_an_e_mail_added_by_a_racing_request_is_refused_on_the_e_mail_field(rival_saves_first):
    raced = rival_saves_first(User, RIVAL_USER)
    with pytest.raises(ServiceError) as refused:
        create_user("Race@Example.com", "a long enough password")
    assert raced["done"]
    assert (refused.value.field, refused.value.message) == ("email", EMAIL_TAKEN)
    assert list(db.session.scalars(db.select(User.email))) == ["race@example.com"]


def test_concurrent_creates_of_one_name_in_different_cases_make_one_connector(app, admin):
    key = new_key(admin)
    spellings = [
        "racecase",
        "RaceCase",
        "RACECASE",
        "raceCase",
        "Racecase",
        "racecasE",
        "RaCeCaSe",
        "RACEcase",
    ]
    start = threading.Barrier(len(spellings))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def create(name: str) -> None:
        try:
            client = app.test_client()
            start.wait(timeout=30)
            response = client.post(
                f"{API}/connectors/issue-tracker/",
                json=api_body(name),
                headers={"Authorization": f"Token {key}"},
            )
            statuses.append(response.status_code)
            if response.status_code == 400:
                assert response.get_json()["errors"] == {"name": [TAKEN]}
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=create, args=(name,)) for name in spellings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(statuses) == [201] + [400] * (len(spellings) - 1)
    assert len(names()) == 1
