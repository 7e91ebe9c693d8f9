"""validate_params: the one server-side validator for form, API and CLI."""

import json
from pathlib import Path

import pytest

from webapp.schema.fields import Field, FieldKind
from webapp.schema.validation import render_title, secret_fields, validate_params
from webapp.trackers.registry import builtin_systems
from webapp.trackers.system import System

SYSTEMS = {system.id: system for system in builtin_systems()}
GITHUB, GITLAB, JIRA, RT = (SYSTEMS[i] for i in ("github", "gitlab", "jira", "rt"))
# Bodies from /work/shared/seeds/sde-issue-tracker-connectors-api.txt.
SEED = json.loads((Path(__file__).parent / "sde_seed_params.json").read_text())
MINIMAL_GITHUB = {"github_repo_owner": "acme", "issue_tracker_api_token": "t0ken"}
MINIMAL_GITLAB = {"issue_tracker_api_token": "t0ken"}
MINIMAL_RT = {"issue_tracker_server": "rt.example.com", "issue_tracker_api_token": "t0ken"}


def errors_for(system, params, **kwargs):
    return validate_params(system, params, **kwargs).errors


def value_of(system, name, value, base=None):
    result = validate_params(system, {**(base or {}), name: value})
    assert not result.errors, result.errors
    return result.values.get(name)


def error_of(system, name, value, base=None):
    return errors_for(system, {**(base or {}), name: value}).get(name)


# --- the SD Elements seed bodies -------------------------------------------------


def test_seed_github_params_are_valid_and_typed():
    result = validate_params(GITHUB, SEED["github"]["params"])
    assert result.ok, result.errors
    assert result.values["sde_min_priority"] == 7
    assert result.values["sde_verification_filter"] == "none,partial,pass,fail"
    assert result.values["issue_tracker_validate_cert"] is True
    assert result.secrets == {"issue_tracker_api_token": "token"}


def test_seed_jira_params_are_valid_with_basic_auth():
    result = validate_params(JIRA, SEED["jira"]["params"])
    assert result.ok, result.errors
    assert result.values["jira_version"] == "5"
    assert result.values["issue_tracker_user"] == "user"
    assert result.secrets == {"issue_tracker_pass": "pass"}


def test_seed_connection_test_body_is_valid():
    assert validate_params(GITHUB, SEED["github_test"]["params"]).ok


def test_body_without_github_repo_owner_is_rejected():
    params = {k: v for k, v in SEED["github"]["params"].items() if k != "github_repo_owner"}
    assert errors_for(GITHUB, params) == {"github_repo_owner": ["This field is required."]}


# --- general rules --------------------------------------------------------------


def test_unknown_parameter_is_reported_under_its_own_name():
    errors = errors_for(GITHUB, {**MINIMAL_GITHUB, "jira_version": "5"})
    assert errors == {"jira_version": ["Unknown parameter for GitHub."]}


def test_defaults_fill_in_missing_optional_values():
    values = validate_params(GITHUB, MINIMAL_GITHUB).values
    assert values["issue_tracker_server"] == "api.github.com"
    assert values["issue_tracker_method"] == "https"
    assert values["title_format"] == "$title"
    assert values["sde_min_priority"] == 7


def test_optional_field_without_default_is_left_out():
    assert "github_repo_name" not in validate_params(GITHUB, MINIMAL_GITHUB).values


def test_empty_string_counts_as_missing():
    assert error_of(GITHUB, "github_repo_owner", "   ") == ["This field is required."]
    assert value_of(GITHUB, "title_format", "", MINIMAL_GITHUB) == "$title"


def test_strings_are_stripped():
    assert value_of(GITHUB, "github_repo_owner", "  acme ", MINIMAL_GITHUB) == "acme"


def test_secrets_are_kept_out_of_values():
    result = validate_params(GITHUB, MINIMAL_GITHUB)
    assert "issue_tracker_api_token" not in result.values
    assert result.secrets == {"issue_tracker_api_token": "t0ken"}


def test_secret_values_never_appear_in_repr():
    assert "t0ken" not in repr(validate_params(GITHUB, MINIMAL_GITHUB))


def test_required_secret_is_satisfied_by_a_stored_secret():
    params = {"github_repo_owner": "acme", "issue_tracker_api_token": ""}
    result = validate_params(GITHUB, params, stored_secrets={"issue_tracker_api_token"})
    assert result.ok
    assert result.secrets == {}


def test_required_secret_without_stored_value_is_required():
    errors = errors_for(GITHUB, {"github_repo_owner": "acme"})
    assert errors == {"issue_tracker_api_token": ["This field is required."]}


def test_secret_fields_lists_the_credentials():
    assert [f.name for f in secret_fields(RT)] == ["issue_tracker_api_token", "issue_tracker_pass"]


def test_hidden_basic_fields_are_ignored_in_token_mode():
    params = {**MINIMAL_RT, "issue_tracker_user": "bob", "issue_tracker_pass": "x" * 300}
    result = validate_params(RT, params)
    assert result.ok
    assert "issue_tracker_user" not in result.values
    assert result.secrets == {"issue_tracker_api_token": "t0ken"}


def test_basic_mode_requires_user_and_password():
    params = {"issue_tracker_server": "rt.example.com", "issue_tracker_auth_mode": "basic"}
    assert errors_for(RT, params) == {
        "issue_tracker_user": ["This field is required."],
        "issue_tracker_pass": ["This field is required."],
    }


def test_missing_auth_mode_uses_the_system_default():
    # Jira defaults to basic auth, so user and password are required.
    errors = errors_for(JIRA, {"issue_tracker_server": "my-company.atlassian.net"})
    assert set(errors) == {"issue_tracker_user", "issue_tracker_pass"}


def test_shown_secret_names_tell_which_stored_secrets_still_apply():
    result = validate_params(RT, {**MINIMAL_RT, "issue_tracker_auth_mode": "api_token"})
    assert result.shown_secret_names == {"issue_tracker_api_token"}


def test_single_item_form_lists_are_unwrapped():
    assert value_of(GITHUB, "github_repo_owner", ["acme"], MINIMAL_GITHUB) == "acme"


def test_several_values_for_a_single_valued_field_are_rejected():
    assert error_of(GITHUB, "github_repo_owner", ["a", "b"]) == ["Expected a single value."]


def test_non_text_value_for_a_text_field_is_rejected():
    assert error_of(GITHUB, "github_repo_owner", 5) == ["Enter text."]


def test_max_length_is_enforced():
    assert error_of(GITHUB, "github_repo_owner", "a" * 256) == [
        "Ensure this value has at most 255 characters (it has 256)."
    ]


# --- kinds ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (True, True),
        (False, False),
        ("true", True),
        ("on", True),
        ("1", True),
        ("false", False),
        ("0", False),
        ("", False),
        (1, True),
        (0, False),
    ],
)
def test_bool_accepts_form_and_json_spellings(raw, expected):
    assert value_of(GITHUB, "issue_tracker_validate_cert", raw, MINIMAL_GITHUB) is expected


def test_bool_hidden_input_before_checkbox_uses_the_last_value():
    name = "issue_tracker_validate_cert"
    assert value_of(GITHUB, name, ["false", "on"], MINIMAL_GITHUB) is True
    assert value_of(GITHUB, name, ["false"], MINIMAL_GITHUB) is False


def test_bool_rejects_other_words():
    assert error_of(GITHUB, "issue_tracker_validate_cert", "maybe") == ["Enter true or false."]


@pytest.mark.parametrize(("raw", "expected"), [("7", 7), (" 3 ", 3), (10, 10), (1, 1)])
def test_int_accepts_numbers_and_digit_strings(raw, expected):
    assert value_of(GITHUB, "sde_min_priority", raw, MINIMAL_GITHUB) == expected


@pytest.mark.parametrize("raw", ["11", 0, -3])
def test_int_outside_range_names_the_range(raw):
    assert error_of(GITHUB, "sde_min_priority", raw) == ["Must be between 1 and 10."]


@pytest.mark.parametrize("raw", ["seven", "7.5", 7.0, True])
def test_int_rejects_non_integers(raw):
    assert error_of(GITHUB, "sde_min_priority", raw) == ["Enter a whole number."]


def test_choice_error_lists_the_valid_choices():
    assert error_of(RT, "issue_tracker_auth_mode", "oauth") == [
        "Select a valid choice: oauth is not one of api_token, basic."
    ]


def test_multichoice_is_stored_comma_separated_in_declared_order():
    raw = ["fail", "none", "pass", "fail"]
    assert value_of(GITHUB, "sde_verification_filter", raw, MINIMAL_GITHUB) == "none,pass,fail"


def test_multichoice_accepts_a_comma_separated_string():
    raw = " development , requirements"
    assert value_of(GITHUB, "issue_tracker_phases", raw, MINIMAL_GITHUB) == (
        "requirements,development"
    )


def test_multichoice_rejects_unknown_items():
    assert error_of(GITHUB, "sde_statuses_in_scope", "TODO,WIP") == [
        "Select a valid choice: WIP is not one of TODO, DONE, NA."
    ]


def test_empty_multichoice_falls_back_to_its_default():
    assert value_of(GITHUB, "sde_statuses_in_scope", [], MINIMAL_GITHUB) == "TODO"


def test_keyvalue_accepts_equals_and_colon_lines():
    text = "Severity=High\n\n  Team: Security \nUrl: https://x.example/?a=b"
    assert value_of(RT, "rt_custom_fields", text, MINIMAL_RT) == {
        "Severity": "High",
        "Team": "Security",
        "Url": "https://x.example/?a=b",
    }


def test_keyvalue_accepts_an_object_and_stores_strings():
    raw = {" Severity ": "High", "Points": 3, "Urgent": True}
    assert value_of(RT, "rt_custom_fields", raw, MINIMAL_RT) == {
        "Severity": "High",
        "Points": "3",
        "Urgent": "true",
    }


def test_keyvalue_reports_the_bad_line():
    assert error_of(RT, "rt_custom_fields", "A=1\njust words") == [
        "Line 2: expected key=value or key: value."
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("api.github.com", "api.github.com"),
        ("rt.example.com/rt/", "rt.example.com/rt"),
        ("jira.example.com:8443/jira", "jira.example.com:8443/jira"),
        ("localhost", "localhost"),
        ("10.0.0.5:8080", "10.0.0.5:8080"),
        ("[2001:db8::1]:8443", "[2001:db8::1]:8443"),
    ],
)
def test_host_accepts_names_addresses_ports_and_paths(raw, expected):
    assert value_of(RT, "issue_tracker_server", raw, MINIMAL_RT) == expected


def test_host_with_scheme_tells_the_user_to_use_the_method_field():
    [message] = error_of(GITLAB, "issue_tracker_server", "https://gitlab.example.com/")
    assert message == (
        'Enter the host without "https://" (e.g. gitlab.example.com); '
        "choose HTTPS or HTTP in the Method field."
    )


@pytest.mark.parametrize("raw", ["rt.example.com:0", "rt.example.com:70000", "rt.example.com:x"])
def test_host_port_must_be_in_range(raw):
    assert error_of(RT, "issue_tracker_server", raw) == ["Port must be between 1 and 65535."]


def test_bare_ipv6_address_must_be_bracketed():
    assert error_of(RT, "issue_tracker_server", "2001:db8::1") == [
        "Put an IPv6 address in brackets, e.g. [2001:db8::1]."
    ]


@pytest.mark.parametrize("raw", ["bad host", "-rt.example.com", "999.1.1.1", "[not-ipv6]"])
def test_host_rejects_malformed_names(raw):
    [message] = error_of(RT, "issue_tracker_server", raw)
    assert message.startswith("Enter a host name or IP address")


def test_url_kind_accepts_only_http_and_https():
    system = System("demo", "Demo", "Demo", "", "", fields=(Field("home", "Home", FieldKind.URL),))
    assert validate_params(system, {"home": "https://example.com/x"}).ok
    assert errors_for(system, {"home": "ftp://example.com"}) == {
        "home": ["Enter a valid URL starting with http:// or https://."]
    }


def test_pattern_failure_uses_the_field_message():
    assert error_of(JIRA, "jira_project_key", "sec") == [
        "Enter the project key: capital letters, digits and _, e.g. SEC."
    ]


@pytest.mark.parametrize(
    "raw", ["group/project", "gitlab-examples/maven/simple-maven-example", "42"]
)
def test_gitlab_project_accepts_paths_and_numeric_ids(raw):
    assert value_of(GITLAB, "gitlab_project", raw, MINIMAL_GITLAB) == raw


@pytest.mark.parametrize("raw", ["project-without-namespace", "group/", "a b/c"])
def test_gitlab_project_rejects_other_shapes(raw):
    assert error_of(GITLAB, "gitlab_project", raw) == [
        "Enter namespace/name (e.g. group/project) or a numeric project id."
    ]


# --- title_format ---------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["$task_id $title", "[${category}] ${title} ($ticket_id)", "$$ $title"]
)
def test_title_format_accepts_known_variables(raw):
    assert value_of(GITHUB, "title_format", raw, MINIMAL_GITHUB) == raw


@pytest.mark.parametrize("raw", ["$foo $title", "${foo}"])
def test_title_format_names_the_unknown_variable(raw):
    assert error_of(GITHUB, "title_format", raw) == [
        "Unknown variable $foo; use $title, $category, $ticket_id or $task_id."
    ]


def test_title_format_rejects_a_stray_dollar():
    [message] = error_of(GITHUB, "title_format", "Cost: 5$")
    assert message.startswith('Write $$ for a literal "$"')


def test_render_title_treats_task_id_as_ticket_id():
    assert render_title("$task_id $title", title="Fix XSS", ticket_id="T21") == "T21 Fix XSS"


def test_render_title_supports_braces_and_category():
    rendered = render_title("[${category}] $title", title="Fix XSS", category="Web")
    assert rendered == "[Web] Fix XSS"


def test_render_title_strips_the_gap_left_by_an_empty_variable():
    assert render_title("$ticket_id $title", title="Fix XSS") == "Fix XSS"


def test_render_title_leaves_unknown_variables_as_typed():
    assert render_title("$foo $title", title="Fix XSS") == "$foo Fix XSS"


@pytest.mark.parametrize(
    ("title_format", "expected"),
    [
        ("[$category] $title", "Fix XSS"),
        ("[${category}] $title", "Fix XSS"),
        ("$title ($category)", "Fix XSS"),
        ("$ticket_id [$category] $title", "T21 Fix XSS"),
        ("[$$category] $title", "[$category] Fix XSS"),  # a literal "$", not the variable
    ],
)
def test_render_title_drops_the_brackets_of_an_empty_category(title_format, expected):
    assert render_title(title_format, title="Fix XSS", ticket_id="T21") == expected
    # With a category the brackets stay.
    assert "[Web]" in render_title("[$category] $title", title="Fix XSS", category="Web")
