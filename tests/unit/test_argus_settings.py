"""Reading Argus settings: literal Python or JSON only, every unmapped key listed."""

from __future__ import annotations

import pytest

from webapp.services.argus_settings import import_argus, read_argus
from webapp.services.errors import ValidationFailed
from webapp.services.settings_snippets import parse_settings, python_snippet

GITLAB_SNIPPET = '''
"""Argus site settings (an excerpt)."""
TICKET_PLUGIN = "argus_ticket_gitlab.GitlabPlugin"
TICKET_ENDPOINT = "https://gitlab.example.com/"
TICKET_AUTHENTICATION_SECRET = {"token": "glpat-snippet-token"}
TICKET_INFORMATION = {
    "project_namespace_and_name": "group/project",
    "labels_set": ["argus"],
    "custom_fields_mapping": {"host": {"tag": "host"}},
    "colour": "red",
}
DEBUG = False
'''


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as caught:
        call()
    return caught.value.errors


def test_python_snippet_is_read_as_literals():
    values = parse_settings(GITLAB_SNIPPET)
    assert values["TICKET_AUTHENTICATION_SECRET"] == {"token": "glpat-snippet-token"}
    assert values["DEBUG"] is False


def test_snippet_with_code_is_refused_naming_the_line_and_never_run(tmp_path):
    marker = tmp_path / "ran"
    snippet = (
        'TICKET_PLUGIN = "argus_ticket_rt.RequestTrackerPlugin"\n'
        f"TICKET_ENDPOINT = open({str(marker)!r}, 'w').write('x')\n"
    )
    errors = errors_of(lambda: parse_settings(snippet))
    assert errors["settings"][0].startswith("Line 2: TICKET_ENDPOINT is not a literal value")
    assert not marker.exists()


def test_snippet_with_an_import_is_refused_naming_the_line():
    errors = errors_of(lambda: parse_settings('TICKET_PLUGIN = "x"\nimport os\n'))
    assert errors["settings"][0].startswith("Line 2: only assignments")


def test_environment_lookups_are_refused():
    snippet = 'TICKET_AUTHENTICATION_SECRET = {"token": os.environ["TOKEN"]}'
    errors = errors_of(lambda: parse_settings(snippet))
    assert "Line 1: TICKET_AUTHENTICATION_SECRET is not a literal value" in errors["settings"][0]


def test_broken_python_and_json_name_the_line():
    assert errors_of(lambda: parse_settings("TICKET_PLUGIN = (\n"))["settings"][0].startswith(
        "Line 1: not valid Python"
    )
    assert errors_of(lambda: parse_settings('{\n"a": }'))["settings"][0].startswith(
        "Line 2, column 6: not valid JSON"
    )


def test_python_snippet_reads_back_what_it_writes():
    values = parse_settings(GITLAB_SNIPPET)
    assert parse_settings(python_snippet(values)) == values


def test_every_key_that_cannot_be_mapped_is_listed(app):
    plan = read_argus("GitLab from Argus", GITLAB_SNIPPET)
    assert [item.key for item in plan.unmapped] == [
        "DEBUG",
        "TICKET_INFORMATION.custom_fields_mapping",
        "TICKET_INFORMATION.colour",
    ]
    assert plan.params["default_labels"] == "argus"
    assert plan.params["gitlab_project"] == "group/project"


def test_labels_set_is_unmapped_for_a_tracker_without_labels(app):
    plan = read_argus(
        "RT",
        {
            "TICKET_PLUGIN": "argus_ticket_rt.RequestTrackerPlugin",
            "TICKET_ENDPOINT": "https://rt.example.com/rt/",
            "TICKET_AUTHENTICATION_SECRET": {"token": "1-rt-token"},
            "TICKET_INFORMATION": {"queue": "General", "labels_set": ["a"]},
        },
    )
    assert [item.key for item in plan.unmapped] == ["TICKET_INFORMATION.labels_set"]
    assert plan.params["issue_tracker_server"] == "rt.example.com/rt"
    assert plan.params["issue_tracker_auth_mode"] == "api_token"


def test_unknown_plugin_and_bad_endpoint_name_the_setting(app):
    errors = errors_of(
        lambda: read_argus("x", {"TICKET_PLUGIN": "argus_ticket_trello.TrelloPlugin"})
    )
    assert "argus_ticket_jira.JiraPlugin" in errors["settings.TICKET_PLUGIN"][0]
    errors = errors_of(
        lambda: read_argus(
            "x",
            {
                "TICKET_PLUGIN": "argus_ticket_github.GithubPlugin",
                "TICKET_ENDPOINT": "github.com",
                "TICKET_AUTHENTICATION_SECRET": {"password": "p"},
            },
        )
    )
    assert set(errors) == {"settings.TICKET_ENDPOINT", "settings.TICKET_AUTHENTICATION_SECRET"}
    assert "{token}" in errors["settings.TICKET_AUTHENTICATION_SECRET"][0]


def test_github_website_endpoint_becomes_the_api_host(app):
    plan = read_argus(
        "GitHub",
        {
            "TICKET_PLUGIN": "argus_ticket_github.GithubPlugin",
            "TICKET_ENDPOINT": "https://github.com/",
            "TICKET_AUTHENTICATION_SECRET": {"token": "ghp_x"},
            "TICKET_INFORMATION": {"project_namespace_and_name": "octo/hello"},
        },
    )
    assert plan.params["issue_tracker_server"] == "api.github.com"
    assert (plan.params["github_repo_owner"], plan.params["github_repo_name"]) == (
        "octo",
        "hello",
    )


def test_placeholder_secret_from_an_export_is_refused(app):
    errors = errors_of(
        lambda: read_argus(
            "x",
            {
                "TICKET_PLUGIN": "argus_ticket_gitlab.GitlabPlugin",
                "TICKET_ENDPOINT": "https://gitlab.com/",
                "TICKET_AUTHENTICATION_SECRET": {"token": "<token>"},
            },
        )
    )
    assert "placeholder" in errors["settings.TICKET_AUTHENTICATION_SECRET.token"][0]


def test_dry_run_reports_validation_errors_under_the_argus_key_and_saves_nothing(admin):
    settings = {
        "TICKET_PLUGIN": "argus_ticket_jira.JiraPlugin",
        "TICKET_ENDPOINT": "https://example.atlassian.net",
        "TICKET_AUTHENTICATION_SECRET": {"email": "me@example.com", "token": "t0ken-value"},
        "TICKET_INFORMATION": {"project_key_or_id": "not a key"},
    }
    plan = import_argus(admin, "Jira", settings, dry_run=True)
    assert list(plan.errors) == ["settings.TICKET_INFORMATION.project_key_or_id"]
    assert plan.connector is None
    shown = plan.to_dict()
    assert shown["connector"]["secrets"] == ["issue_tracker_pass"]
    assert "t0ken-value" not in str(shown)


def test_malformed_endpoints_are_an_error_on_the_endpoint(app):
    for endpoint in ("https://[::1/", "https://host:port/", "ftp://host/", 42):
        errors = errors_of(
            lambda endpoint=endpoint: read_argus(
                "x",
                {
                    "TICKET_PLUGIN": "argus_ticket_gitlab.GitlabPlugin",
                    "TICKET_ENDPOINT": endpoint,
                    "TICKET_AUTHENTICATION_SECRET": {"token": "t"},
                },
            )
        )
        assert list(errors) == ["settings.TICKET_ENDPOINT"], endpoint
