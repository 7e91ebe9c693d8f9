"""Field and FieldGroup declarations."""

import dataclasses

import pytest

from webapp.schema.fields import Field, FieldGroup, FieldKind

AUTH_MODE = Field(
    "issue_tracker_auth_mode",
    "Authentication",
    FieldKind.CHOICE,
    default="api_token",
    choices=(("api_token", "API token"), ("basic", "User name and password")),
)
USER = Field(
    "issue_tracker_user",
    "User name",
    required=True,
    shown_when={"issue_tracker_auth_mode": ("basic",)},
)


def test_field_kinds_are_plain_strings():
    assert FieldKind.SECRET == "secret"
    assert Field("x", "X", kind="int").kind is FieldKind.INT


def test_string_fields_default_to_255_characters():
    assert Field("x", "X").max_length == 255


def test_text_fields_default_to_10000_characters():
    assert Field("x", "X", FieldKind.TEXT).max_length == 10_000


def test_non_text_fields_have_no_length_limit():
    assert Field("x", "X", FieldKind.INT).max_length is None


def test_secret_property_follows_kind():
    assert Field("token", "Token", FieldKind.SECRET).secret
    assert not Field("user", "User").secret


def test_choice_field_without_choices_is_a_declaration_error():
    with pytest.raises(ValueError, match="without choices"):
        Field("mode", "Mode", FieldKind.CHOICE)


def test_secret_field_cannot_declare_a_default():
    with pytest.raises(ValueError, match="cannot have a default"):
        Field("token", "Token", FieldKind.SECRET, default="hunter2")


def test_fields_are_immutable_and_hashable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        USER.label = "Login"  # type: ignore[misc]
    assert hash(USER) == hash(dataclasses.replace(USER))


def test_field_without_conditions_is_always_shown():
    assert Field("x", "X").is_shown({})


def test_conditional_field_is_shown_when_condition_holds():
    assert USER.is_shown({"issue_tracker_auth_mode": "basic"})


def test_conditional_field_is_hidden_when_condition_fails():
    assert not USER.is_shown({"issue_tracker_auth_mode": "api_token"})


def test_missing_controlling_value_falls_back_to_its_default():
    assert not USER.is_shown({}, {"issue_tracker_auth_mode": "api_token"})
    assert USER.is_shown({}, {"issue_tracker_auth_mode": "basic"})


def test_blank_controlling_value_counts_as_missing():
    assert USER.is_shown({"issue_tracker_auth_mode": " "}, {"issue_tracker_auth_mode": "basic"})


def test_condition_compares_form_strings_and_json_values_alike():
    field = Field("ca", "CA bundle", shown_when={"verify": ("true",)})
    assert field.is_shown({"verify": True})
    assert field.is_shown({"verify": " true "})
    assert not field.is_shown({"verify": False})


def test_condition_accepts_form_lists():
    assert USER.is_shown({"issue_tracker_auth_mode": ["basic"]})


def test_single_string_condition_is_normalised_to_a_tuple():
    field = Field("x", "X", shown_when={"mode": "basic"})
    assert field.shown_when == {"mode": ("basic",)}


def test_all_conditions_must_hold():
    field = Field("x", "X", shown_when={"a": ("1",), "b": ("2",)})
    assert field.is_shown({"a": "1", "b": "2"})
    assert not field.is_shown({"a": "1", "b": "3"})


def test_field_group_defaults_to_expanded():
    group = FieldGroup("task_sync", "Task sync")
    assert (group.description, group.collapsed) == ("", False)
