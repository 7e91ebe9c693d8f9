"""Who may reach each endpoint: the one table the route walks check the app against.

A new route fails those tests until it is classified here, so nobody adds an
admin-only action that viewers can reach, or a page that needs no login, by accident.
"""

PUBLIC = "public"  # no login (static files, login, set-up, health, the OpenAPI document)
LOGIN = "login"  # any logged-in user: admins and viewers
ADMIN = "admin"  # administrators only; viewers get 403
OWN = "own"  # admins on any row; viewers only on rows they created (others: 403)
TOKEN = "token"  # the API: an API token, never the session cookie  # noqa: S105
TOKEN_ADMIN = "token admin"  # the API, administrators' tokens only; viewers get 403  # noqa: S105
API_ACCESS = (TOKEN, TOKEN_ADMIN)

ACCESS: dict[str, str] = {
    "static": PUBLIC,
    "auth.login": PUBLIC,
    "auth.setup": PUBLIC,
    "health.healthz": PUBLIC,
    "metrics.metrics": PUBLIC,  # guarded by network / token instead (tests/test_metrics.py)
    "api.openapi_document": PUBLIC,
    "auth.logout": LOGIN,
    "dashboard.index": LOGIN,
    "connectors.index": LOGIN,
    "connectors.detail": LOGIN,
    "connectors.choices": LOGIN,
    "connectors.system_schema": LOGIN,
    "connectors.test_saved": LOGIN,
    "connectors.pick_system": ADMIN,
    "connectors.new": ADMIN,
    "connectors.edit": ADMIN,
    "connectors.clone": ADMIN,
    "connectors.delete": ADMIN,
    "connectors.toggle_disabled": ADMIN,
    "connectors.test_new": ADMIN,
    "connectors.test_edit": ADMIN,
    "connectors.test_clone": ADMIN,
    "connectors.sync_labels": ADMIN,
    "connectors.new_choices": ADMIN,
    "connectors.edit_choices": ADMIN,
    "connectors.clone_choices": ADMIN,
    "connectors.ticket_choices": LOGIN,
    "tickets.index": LOGIN,
    "tickets.new": LOGIN,
    "tickets.detail": LOGIN,
    "tickets.retry": OWN,
    "tickets.discard": OWN,
    "tickets.edit": OWN,
    "tickets.required_fields_part": LOGIN,
    "users.account": LOGIN,
    "users.create_token": LOGIN,
    "users.revoke_token": LOGIN,
    "users.logout_everywhere": LOGIN,
    "users.index": ADMIN,
    "users.toggle_active": ADMIN,
    "audit.index": ADMIN,
    "audit.export": ADMIN,
    "api_docs.index": LOGIN,
    "api.list_connectors": TOKEN,
    "api.create_connector": TOKEN_ADMIN,
    "api.get_connector": TOKEN,
    "api.update_connector": TOKEN_ADMIN,
    "api.delete_connector": TOKEN_ADMIN,
    "api.test_saved_connector": TOKEN,
    "api.test_unsaved_connector": TOKEN_ADMIN,
    "api.list_systems": TOKEN,
    "api.list_tickets": TOKEN,
    "api.get_ticket": TOKEN,
    "api.create_ticket": TOKEN,
    "api.retry_ticket": TOKEN,
    "api.discard_ticket": TOKEN,
}


def public_endpoints() -> set[str]:
    return {endpoint for endpoint, access in ACCESS.items() if access == PUBLIC}
