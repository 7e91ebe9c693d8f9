"""Hostile input on every page and every form: refused with a message, never a 500.

Walks the URL map as an administrator (tests/support/routes.py) and submits every form
the pages show (tests/support/html_forms.py), so a page or field added later is covered
without anyone listing it here. Text no database can store (a NUL character) in a query
parameter or a form field is refused with 400 and says why; ids past the database's
integer range are "not found". Run on SQLite and, with TEST_DATABASE_URL, PostgreSQL
(where a NUL that got through would fail the insert).
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest
from werkzeug.routing import Rule

from tests.factories import make_connector
from tests.support.html_forms import PageForm, page_forms
from tests.support.material import registered_ids
from tests.support.routes import build_url, get_rules, rules, sample_values, walked_methods
from webapp.extensions import db
from webapp.ids import IdConverter
from webapp.models import ApiToken, AuditEntry, Connector, Ticket, User

NUL_TEXT = "Legit\x00GitLab"
NUL_MESSAGE = "Remove a NUL character (U+0000): it cannot be stored."
HUGE_NUMBER = "99999999999999999999999"
#: Numbers that are not ids: too large for the database, negative, zero, not ASCII.
ODD_NUMBERS = (HUGE_NUMBER, "2147483648", "-1", "0", "²")
#: Query parameters read by some page, besides those of the pages' search forms.
QUERY_NAMES = {"q", "system", "page", "connector", "status", "user", "action", "next", "token"}
SYSTEMS = registered_ids()


def body(response) -> str:
    return response.get_data(as_text=True)


def page_urls(app, admin) -> list[str]:
    """Every page an administrator can open, plus each system's connector and ticket forms."""
    urls = [
        build_url(app, rule, admin) for rule in get_rules(app) if "filename" not in rule.arguments
    ]
    for system_id in SYSTEMS:
        connector = make_connector(system_id)
        urls += [
            f"/connectors/new/{system_id}",
            f"/connectors/{connector.id}/edit",
            f"/connectors/{connector.id}/clone",
            f"/tickets/new?connector={connector.id}",
        ]
    return urls


def all_forms(client, urls) -> list[PageForm]:
    forms, seen = [], set()
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        for form in page_forms(body(response), url):
            key = (form.method, tuple(form.actions), tuple(form.field_names()))
            if key not in seen:
                seen.add(key)
                forms.append(form)
    return forms


@pytest.fixture
def forms(app, admin, admin_client) -> list[PageForm]:
    return all_forms(admin_client, page_urls(app, admin))


def test_the_walk_finds_the_forms_that_matter(forms):
    posted_to = {urlsplit(action).path for form in forms for action in form.actions}
    for path in ("/connectors/new/jira", "/connectors/new/rt/test", "/account/tokens", "/users"):
        assert path in posted_to
    assert any(path.startswith("/tickets/new") for path in posted_to)
    assert any(path.endswith("/edit/test") for path in posted_to)


def test_nul_in_any_query_parameter_is_refused_with_400(app, admin, admin_client, forms):
    names = QUERY_NAMES | {
        name for form in forms if form.method == "get" for name in form.field_names()
    }
    failures = []
    for url in page_urls(app, admin):
        separator = "&" if "?" in url else "?"
        for name in sorted(names):
            response = admin_client.get(f"{url}{separator}{name}={quote(NUL_TEXT)}")
            if response.status_code != 400 or "NUL character (U+0000)" not in body(response):
                failures.append(f"{url} ?{name}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_nul_in_any_form_field_is_a_field_error_with_400(admin_client, forms):
    failures = []
    for form in forms:
        if form.method != "post":
            continue
        for action in form.actions:
            for name in form.field_names():
                if name == "connector_id" and "/tickets/new" in action:
                    # It only picks which connector's form to show: naming no connector,
                    # it shows the form afresh and reads nothing from it (see below).
                    continue
                response = admin_client.submit(action, form.data_with(name, NUL_TEXT))
                if response.status_code != 400 or NUL_MESSAGE not in body(response):
                    failures.append(f"{action} {name}: {response.status_code}")
    assert not failures, "\n".join(failures)
    # Nothing was stored with it either.
    for column in (Connector.name, Ticket.title, Ticket.description, ApiToken.name):
        assert not [text for text in db.session.scalars(db.select(column)) if "\x00" in text]


def test_odd_numbers_in_number_fields_are_no_server_error(admin_client, forms):
    for form in forms:
        numeric = [name for name, value in form.values if value.isascii() and value.isdigit()]
        for action in form.actions if form.method == "post" else ():
            for name in numeric:
                for number in ODD_NUMBERS:
                    response = admin_client.submit(action, form.data_with(name, number))
                    assert response.status_code < 500, (action, name, number)


def id_rules(app) -> list[Rule]:
    return [
        rule
        for rule in rules(app)
        if any(isinstance(converter, IdConverter) for converter in rule._converters.values())
    ]


def test_every_id_in_a_url_goes_through_the_range_check(app):
    int_rules = [rule.rule for rule in rules(app) if "<int:" in rule.rule]
    assert int_rules == [], "use <id:…> (webapp.ids.IdConverter) for ids in URLs"
    assert len(id_rules(app)) >= 15


@pytest.mark.parametrize("number", ODD_NUMBERS)
def test_ids_out_of_range_in_urls_are_not_found(app, admin, admin_client, number):
    for rule in id_rules(app):
        values = sample_values(rule, admin)
        path = rule.rule
        for name, value in values.items():
            is_id = isinstance(rule._converters[name], IdConverter)
            path = path.replace(f"<id:{name}>", number if is_id else str(value))
            path = path.replace(f"<{name}>", str(value))
        for method in walked_methods(rule):
            response = admin_client.open(quote(path), method=method)
            assert response.status_code == 404, (method, path, response.status_code)


@pytest.mark.parametrize(
    "url",
    [
        "/tickets/?connector={}",
        "/audit?connector={}",
        "/connectors/?page={}",
        "/tickets/?page={}",
        "/audit?page={}",
    ],
)
def test_odd_numbers_in_filters_are_no_server_error(admin_client, url):
    for number in ODD_NUMBERS:
        response = admin_client.get(url.format(quote(number)))
        assert response.status_code in (200, 400), (url, number)


def test_audit_filter_by_a_huge_connector_id_finds_nothing(admin_client):
    make_connector("gitlab", name="Audited")
    response = admin_client.get(f"/audit?connector={HUGE_NUMBER}")
    assert response.status_code == 200
    assert "Audited" not in body(response)
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry)) >= 1


def test_nul_in_the_login_e_mail_is_a_field_error(client, admin):
    response = client.submit("/login", {"email": "admin\x00@example.com", "password": "x" * 12})
    assert response.status_code == 400
    page = body(response)
    email_field = page.split('data-field="email"')[1].split('data-field="password"')[0]
    assert NUL_MESSAGE in email_field
    assert 'value="admin' in email_field  # what was typed is still there
    assert not [email for email in db.session.scalars(db.select(User.email)) if "\x00" in email]


def all_subclasses(cls: type) -> list[type]:
    return [sub for direct in cls.__subclasses__() for sub in (direct, *all_subclasses(direct))]


def test_every_form_of_the_app_refuses_unstorable_text(app):
    from flask_wtf import FlaskForm
    from wtforms import Form

    from webapp.web.forms import BaseForm, BaseSubform

    ours = [cls for cls in all_subclasses(Form) if cls.__module__.startswith("webapp.web.")]
    assert len(ours) > 8
    for cls in ours:
        base = BaseForm if issubclass(cls, FlaskForm) else BaseSubform
        assert issubclass(cls, base), f"{cls.__module__}.{cls.__name__}: derive from {base}"


def test_a_connection_test_from_htmx_lists_the_refused_field_and_tests_nothing(admin_client):
    from tests.support.connector_data import FORM_PARAMS

    response = admin_client.submit(
        "/connectors/new/gitlab/test",
        {"name": "Probe", **FORM_PARAMS["gitlab"], "gitlab_project": NUL_TEXT},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200  # htmx swaps in 2xx answers only
    fragment = body(response)
    assert NUL_MESSAGE in fragment
    assert "connector.test" not in db.session.scalars(db.select(AuditEntry.action)).all()
