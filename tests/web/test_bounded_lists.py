"""Pickers and lists show one bounded page, however many connectors or users there are."""

import contextlib

import pytest
from sqlalchemy import event

from benchmarks.seeding import seed_connectors
from tests.factories import make_connector, make_user
from webapp.extensions import db
from webapp.services.connectors import CHOICES_PER_PAGE

PICKER_PAGES = ("/tickets/new", "/tickets/")


@contextlib.contextmanager
def counted_queries():
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def measure(client, path: str) -> tuple[int, int, int]:
    """(queries, <option>s, bytes) of the page at ``path``."""
    with counted_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True).count("<option"), len(response.data)


@pytest.mark.parametrize("path", PICKER_PAGES)
def test_picker_pages_do_not_grow_with_the_connectors(admin_client, path):
    seed_connectors(5)
    few = measure(admin_client, path)
    seed_connectors(195, start=5)
    many = measure(admin_client, path)
    assert many[0] == few[0], "queries"
    # 5 choices then a full page of them, and never more.
    assert few[1] < many[1] <= few[1] - 5 + CHOICES_PER_PAGE + 1
    assert many[2] < few[2] + 3000, "bytes"


def test_the_connector_list_reads_only_what_a_row_shows(admin_client):
    seed_connectors(5)
    with counted_queries() as statements:
        page = admin_client.get("/connectors/?q=conn")
    assert page.get_data(as_text=True).count('data-testid="connector-row"') == 5
    sql = " ".join(statements)
    assert "secrets_ciphertext" not in sql.split("count(*)")[0]
    # Who changed each row comes in the same query, without the editors' password hashes.
    (rows,) = [statement for statement in statements if "LIMIT" in statement]
    assert "JOIN users" in rows and "password" not in rows
    assert "ORDER BY connectors.name_key" in sql  # the indexed key, no lower() per row


def test_the_connector_list_queries_do_not_grow(admin_client):
    seed_connectors(5)
    few = measure(admin_client, "/connectors/")
    seed_connectors(195, start=5)
    assert measure(admin_client, "/connectors/")[0] == few[0]


def test_the_ticket_form_search_narrows_the_choices(admin_client):
    seed_connectors(200)
    page = admin_client.get("/tickets/new?connector_q=conn 0019").get_data(as_text=True)
    # The chosen connector (the first by name) and the ten whose names contain "conn 0019".
    assert page.count('data-testid="connector-choice"') == 11
    assert "conn 00190" in page and "conn 00199" in page and "conn 00000" in page
    assert "conn 00001" not in page


def test_more_matches_than_a_page_say_so(admin_client):
    seed_connectors(CHOICES_PER_PAGE + 1)
    page = admin_client.get("/connectors/choices?connector_q=CONN").get_data(as_text=True)
    assert page.count('data-testid="connector-choice"') == CHOICES_PER_PAGE
    assert 'data-testid="more-choices"' in page
    page = admin_client.get("/connectors/choices?connector_q=CONN&page=2").get_data(as_text=True)
    assert page.count('data-testid="connector-choice"') == 1
    assert 'data-testid="more-choices"' not in page


def test_the_usable_choices_leave_out_disabled_connectors(admin_client):
    make_connector("gitlab", name="Live desk")
    make_connector("gitlab", name="Old desk").disabled = True
    db.session.commit()
    page = admin_client.get("/connectors/choices?connector_q=desk&usable=1").get_data(as_text=True)
    assert "Live desk" in page and "Old desk" not in page
    page = admin_client.get("/connectors/choices?connector_q=desk&any=1").get_data(as_text=True)
    assert "Live desk" in page and "Old desk" in page and "All connectors" in page


def test_the_search_escapes_like_wildcards_and_ignores_case(admin_client):
    make_connector("gitlab", name="100% Desk")
    make_connector("gitlab", name="1000 Desk")
    page = admin_client.get("/connectors/?q=100%25 DESK").get_data(as_text=True)
    assert "100% Desk" in page and "1000 Desk" not in page


def test_a_bad_picker_id_is_a_clear_400(admin_client):
    response = admin_client.get("/connectors/choices?connector=abc")
    assert response.status_code == 400


def test_the_user_list_is_paged_and_searchable(app, admin_client):
    app.config["PER_PAGE"] = 3
    for index in range(7):
        make_user(f"person{index}@example.com")
    first = admin_client.get("/users").get_data(as_text=True)
    assert first.count('data-testid="user-row"') == 3
    assert "8 users" in first and "page=2" in first
    found = admin_client.get("/users?q=PERSON6").get_data(as_text=True)
    assert found.count('data-testid="user-row"') == 1 and "person6@example.com" in found
