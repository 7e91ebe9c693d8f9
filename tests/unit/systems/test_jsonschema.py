"""params_schema: the published JSON Schema agrees with validate_params."""

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from tests.support.material import material_for, registered_ids, registered_systems
from webapp.schema.jsonschema import params_schema
from webapp.schema.validation import validate_params
from webapp.trackers.registry import builtin_systems

SYSTEMS = {system.id: system for system in builtin_systems()}
GITHUB, JIRA, RT = SYSTEMS["github"], SYSTEMS["jira"], SYSTEMS["rt"]
# Bodies from /work/shared/seeds/sde-issue-tracker-connectors-api.txt.
SEED = json.loads((Path(__file__).parent / "sde_seed_params.json").read_text())


def schema_accepts(system, params, **kwargs):
    return Draft202012Validator(params_schema(system, **kwargs)).is_valid(params)


@pytest.mark.parametrize("system", registered_systems(), ids=lambda s: s.id)
def test_schema_is_valid_draft_2020_12(system):
    Draft202012Validator.check_schema(params_schema(system))


@pytest.mark.parametrize("system", registered_systems(), ids=lambda s: s.id)
def test_schema_has_a_property_per_field_and_nothing_else(system):
    schema = params_schema(system)
    assert list(schema["properties"]) == [field.name for field in system.fields]
    assert schema["additionalProperties"] is False


def test_schema_identifies_itself():
    schema = params_schema(GITHUB)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "urn:connector-desk:systems:github:params"
    assert schema["type"] == "object"


@pytest.mark.parametrize(
    ("system_id", "seed"), [("github", "github"), ("jira", "jira"), ("github", "github_test")]
)
def test_seed_params_pass_schema_and_validator(system_id, seed):
    params = SEED[seed]["params"]
    Draft202012Validator(params_schema(SYSTEMS[system_id])).validate(params)
    assert validate_params(SYSTEMS[system_id], params).ok


def test_body_without_github_repo_owner_fails_schema_and_validator():
    params = {k: v for k, v in SEED["github"]["params"].items() if k != "github_repo_owner"}
    assert not schema_accepts(GITHUB, params)
    assert "github_repo_owner" in validate_params(GITHUB, params).errors


def test_unknown_parameter_fails_schema_and_validator():
    params = {**SEED["github"]["params"], "jira_version": "5"}
    assert not schema_accepts(GITHUB, params)
    assert not validate_params(GITHUB, params).ok


def test_required_field_with_a_default_may_be_left_out():
    params = {"github_repo_owner": "acme", "issue_tracker_api_token": "t"}
    assert "issue_tracker_server" not in params_schema(GITHUB)["required"]
    assert schema_accepts(GITHUB, params)
    assert validate_params(GITHUB, params).values["issue_tracker_server"] == "api.github.com"


def test_secrets_are_write_only_passwords():
    token = params_schema(GITHUB)["properties"]["issue_tracker_api_token"]
    assert token["writeOnly"] is True and token["format"] == "password"


def test_secrets_optional_allows_updates_that_keep_the_stored_token():
    params = {"github_repo_owner": "acme"}
    assert not schema_accepts(GITHUB, params)
    assert schema_accepts(GITHUB, params, secrets_optional=True)


def test_property_carries_title_description_and_default():
    method = params_schema(GITHUB)["properties"]["issue_tracker_method"]
    assert method["title"] == "Method" and method["default"] == "https"
    assert method["enum"] == ["https", "http"] and method["description"]


@pytest.mark.parametrize(("raw", "ok"), [(7, True), ("7", True), (11, False), ("seven", False)])
def test_int_accepts_numbers_and_digit_strings(raw, ok):
    assert schema_accepts(GITHUB, {**SEED["github"]["params"], "sde_min_priority": raw}) is ok


@pytest.mark.parametrize(
    ("raw", "ok"),
    [
        ("none,pass", True),
        ("none, pass", True),
        (["pass", "fail"], True),
        ("", True),
        ("none,bogus", False),
        (["bogus"], False),
        (["pass", "pass"], False),
    ],
)
def test_multichoice_accepts_comma_strings_and_arrays(raw, ok):
    params = {**SEED["github"]["params"], "sde_verification_filter": raw}
    assert schema_accepts(GITHUB, params) is ok


def test_bool_must_be_a_json_boolean():
    params = {**SEED["github"]["params"], "issue_tracker_validate_cert": "yes"}
    assert not schema_accepts(GITHUB, params)


def test_keyvalue_is_an_object_of_strings():
    base = {"issue_tracker_server": "rt.example.com", "issue_tracker_api_token": "t"}
    assert schema_accepts(RT, {**base, "rt_custom_fields": {"Severity": "High"}})
    assert not schema_accepts(RT, {**base, "rt_custom_fields": {"Severity": 3}})


def test_host_with_scheme_fails_schema_and_validator():
    params = {**SEED["github"]["params"], "issue_tracker_server": "https://api.github.com"}
    assert not schema_accepts(GITHUB, params)
    assert "issue_tracker_server" in validate_params(GITHUB, params).errors


def test_field_patterns_are_anchored():
    params = {**SEED["jira"]["params"], "jira_project_key": "SEC and more"}
    assert not schema_accepts(JIRA, params)
    assert schema_accepts(JIRA, {**SEED["jira"]["params"], "jira_project_key": "SEC"})


JIRA_SERVER = {"issue_tracker_server": "jira.example.com"}
RT_SERVER = {"issue_tracker_server": "rt.example.com"}
# Jira's default auth mode is basic, RT's is api_token: the conditional
# required fields must follow the default when the mode is left out.
AUTH_CASES = [
    ("jira default mode without user", JIRA, {**JIRA_SERVER}, False),
    (
        "jira default mode with user and password",
        JIRA,
        {**JIRA_SERVER, "issue_tracker_user": "u", "issue_tracker_pass": "p"},
        True,
    ),
    (
        "jira token mode without user",
        JIRA,
        {**JIRA_SERVER, "issue_tracker_auth_mode": "api_token", "issue_tracker_api_token": "t"},
        True,
    ),
    (
        "jira token mode without token",
        JIRA,
        {**JIRA_SERVER, "issue_tracker_auth_mode": "api_token"},
        False,
    ),
    ("rt default mode without token", RT, {**RT_SERVER}, False),
    ("rt default mode with token", RT, {**RT_SERVER, "issue_tracker_api_token": "t"}, True),
    (
        "rt basic mode without password",
        RT,
        {**RT_SERVER, "issue_tracker_auth_mode": "basic", "issue_tracker_user": "u"},
        False,
    ),
    (
        "rt basic mode ignores a stray token",
        RT,
        {
            **RT_SERVER,
            "issue_tracker_auth_mode": "basic",
            "issue_tracker_user": "u",
            "issue_tracker_pass": "p",
            "issue_tracker_api_token": "t",
        },
        True,
    ),
]


@pytest.mark.parametrize(
    ("case", "system", "params", "ok"), AUTH_CASES, ids=[c[0] for c in AUTH_CASES]
)
def test_conditional_credentials_agree_with_validate_params(case, system, params, ok):
    assert schema_accepts(system, params) is ok
    assert validate_params(system, params).ok is ok


def test_condition_requires_the_mode_only_when_its_default_does_not_match():
    conditions = {tuple(c["then"]["required"]): c["if"] for c in params_schema(JIRA)["allOf"]}
    basic = conditions[("issue_tracker_user", "issue_tracker_pass")]
    token = conditions[("issue_tracker_api_token",)]
    assert "required" not in basic
    assert token["required"] == ["issue_tracker_auth_mode"]


@pytest.mark.parametrize("system", registered_systems(), ids=lambda s: s.id)
def test_schema_is_plain_json(system):
    schema = params_schema(system)
    assert json.loads(json.dumps(schema)) == schema


@pytest.mark.parametrize("system_id", registered_ids())
def test_schema_accepts_the_valid_api_params_of_every_registered_system(system_id):
    material = material_for(system_id)
    assert schema_accepts(material.system, material.api_params)
