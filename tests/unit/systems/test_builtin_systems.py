"""The System declaration and the four built-in trackers."""

import pytest

from tests.support.material import registered_systems
from webapp.schema.coercion import coerce
from webapp.schema.fields import Field, FieldGroup
from webapp.trackers.common import connection_fields, override
from webapp.trackers.registry import builtin_systems
from webapp.trackers.system import System

BY_ID = {system.id: system for system in builtin_systems()}


def make_system(**changes):
    values = dict(
        id="demo",
        short_name="Demo",
        name="Demo",
        description="",
        docs_url="",
        fields=(Field("a", "A", group="main"),),
        groups=(FieldGroup("main", "Main"),),
    )
    values.update(changes)
    return System(**values)


def test_system_rejects_a_field_in_an_undeclared_group():
    with pytest.raises(ValueError, match="undeclared group"):
        make_system(groups=())


def test_system_rejects_a_condition_on_an_unknown_field():
    with pytest.raises(ValueError, match="unknown field"):
        make_system(fields=(Field("a", "A", shown_when={"nope": ("x",)}),))


def test_system_rejects_duplicate_field_names():
    with pytest.raises(ValueError, match="more than once"):
        make_system(fields=(Field("a", "A"), Field("a", "Again")))


def test_system_rejects_a_target_field_it_does_not_have():
    with pytest.raises(ValueError, match="target_field"):
        make_system(target_field="repo")


def test_system_id_must_be_url_safe():
    with pytest.raises(ValueError, match="must match"):
        make_system(id="My System")


def test_field_lookup_by_name_raises_key_error_for_unknown_names():
    system = make_system()
    assert system.field("a").label == "A"
    with pytest.raises(KeyError):
        system.field("b")


def test_builtin_ids_and_names_match_sd_elements():
    summaries = [system.summary() for system in builtin_systems()]
    assert {"id": "github", "short_name": "GitHub", "name": "GitHub"} in summaries
    assert {"id": "jira", "short_name": "JIRA", "name": "JIRA"} in summaries
    assert BY_ID["rt"].name == "Request Tracker"


@pytest.mark.parametrize(
    ("system_id", "target"),
    [
        ("github", "github_repo_name"),
        ("gitlab", "gitlab_project"),
        ("jira", "jira_project_key"),
        ("rt", "rt_queue"),
    ],
)
def test_each_builtin_names_its_target_parameter(system_id, target):
    assert BY_ID[system_id].target_field == target


def test_server_defaults_point_at_the_public_services():
    assert BY_ID["github"].server_default == "api.github.com"
    assert BY_ID["gitlab"].server_default == "gitlab.com"
    assert BY_ID["jira"].server_default is None


def test_secret_field_names_list_the_credentials():
    assert BY_ID["github"].secret_field_names == ("issue_tracker_api_token",)
    assert set(BY_ID["jira"].secret_field_names) == {
        "issue_tracker_api_token",
        "issue_tracker_pass",
    }


@pytest.mark.parametrize("system", registered_systems(), ids=lambda s: s.id)
def test_every_declared_default_passes_its_own_validation(system):
    for field in system.fields:
        if field.default is not None:
            assert coerce(field, field.default) == field.default, field.name


@pytest.mark.parametrize("system", registered_systems(), ids=lambda s: s.id)
def test_every_declared_group_holds_fields(system):
    for group in system.groups:
        assert system.fields_in_group(group.id), group.id
    assert system.fields_in_group(None) == ()


@pytest.mark.parametrize("system", builtin_systems(), ids=lambda s: s.id)
def test_task_sync_group_is_collapsed(system):
    task_sync = next(group for group in system.groups if group.id == "task_sync")
    assert task_sync.collapsed


def test_single_auth_mode_makes_the_token_unconditional():
    token = next(f for f in connection_fields() if f.name == "issue_tracker_api_token")
    assert token.shown_when is None


def test_several_auth_modes_make_credentials_conditional():
    fields = {f.name: f for f in connection_fields(auth_modes=("api_token", "basic"))}
    assert fields["issue_tracker_user"].shown_when == {"issue_tracker_auth_mode": ("basic",)}
    assert fields["issue_tracker_auth_mode"].default == "api_token"


def test_unknown_auth_mode_is_a_declaration_error():
    with pytest.raises(ValueError, match="oauth"):
        connection_fields(auth_modes=("oauth",))


def test_override_rejects_names_that_are_not_in_the_list():
    with pytest.raises(ValueError, match="issue_tracker_usr"):
        override(connection_fields(), issue_tracker_usr={"label": "Email"})


def test_github_server_help_explains_enterprise_api_path():
    assert "/api/v3" in BY_ID["github"].field("issue_tracker_server").help


def test_gitlab_token_help_names_the_api_scope():
    assert "api scope" in BY_ID["gitlab"].field("issue_tracker_api_token").help


@pytest.mark.parametrize("system", registered_systems(), ids=lambda s: s.id)
def test_title_format_puts_the_category_in_the_subject_only_where_there_are_no_labels(system):
    with_category = system.title_format_for("$title", with_category=True)
    if system.has_labels:
        assert with_category == "$title"
    else:
        assert with_category == "[$category] $title"
    assert system.title_format_for("$title", with_category=False) == "$title"
    # A format that places the category itself is left alone, and an empty one is $title.
    assert system.title_format_for("$category: $title", with_category=True) == "$category: $title"
    assert system.title_format_for("", with_category=False) == "$title"
    braced = "${category}: $title"
    assert system.title_format_for(braced, with_category=True) == braced
    # Without a category its brackets go, in the title and in the form's live preview.
    assert system.title_format_for("[$category] $title", with_category=False) == "$title"
