"""Jira's create metadata: paged issue types and fields, turned into ticket form fields
and into the values a create request wants (by Cloud's and Data Center's rules)."""

from __future__ import annotations

import pytest
from responses import matchers

from tests.unit.trackers.specs import JIRA_SPEC
from webapp.schema.fields import FieldKind
from webapp.trackers.tickets import DeliveryFailed

META = f"{JIRA_SPEC.base}/rest/api/2/issue/createmeta/OPS/issuetypes"


def client(settings, **params):
    system = JIRA_SPEC.system
    return system.client_class(system, {**JIRA_SPEC.params, **params}, JIRA_SPEC.secrets, settings)


def field(field_id, name, kind, items=None, allowed=None, required=True, **extra):
    schema = {"type": kind, **({"items": items} if items else {}), "custom": "x"}
    found = {"fieldId": field_id, "name": name, "required": required, "schema": schema, **extra}
    if allowed:
        found["allowedValues"] = [{"id": i, "value": v} for i, v in allowed]
    return found


def page_matcher(start):
    return [matchers.query_param_matcher({"startAt": str(start), "maxResults": "50"})]


def serve_meta(api, fields):
    api.get(META, json={"values": [{"id": "3", "name": "Bug"}], "isLast": True})
    half = len(fields) // 2
    api.get(
        META + "/3",
        json={"values": fields[:half], "startAt": 0, "maxResults": 50, "isLast": False},
        match=page_matcher(0),
    )
    api.get(
        META + "/3",
        json={"values": fields[half:], "startAt": half, "maxResults": 50, "isLast": True},
        match=page_matcher(half),
    )


FIELDS = [
    field("summary", "Summary", "string"),
    field("reporter", "Reporter", "user", hasDefaultValue=True),
    field("customfield_1", "Severity", "option", allowed=[("10", "High"), ("11", "Low")]),
    field("customfield_2", "Effort", "number"),
    field("customfield_3", "Reviewer", "user"),
    field("customfield_4", "Areas", "array", items="option", allowed=[("20", "UI"), ("21", "DB")]),
    field("customfield_5", "Watchers", "array", items="user"),
    field("customfield_6", "Note", "string", required=False),
]


def test_required_fields_come_from_every_page_of_the_metadata(api, settings):
    serve_meta(api, FIELDS)
    asked = client(settings).required_fields({"issue_type": "bug"})
    by_name = {f.name: f for f in asked}
    assert list(by_name) == [f"customfield_{n}" for n in range(1, 6)]
    assert by_name["customfield_1"].kind is FieldKind.CHOICE
    assert by_name["customfield_1"].choices == (("", "— choose —"), ("10", "High"), ("11", "Low"))
    assert by_name["customfield_4"].kind is FieldKind.MULTICHOICE
    assert by_name["customfield_2"].pattern and "account id" in by_name["customfield_3"].help


def test_values_are_sent_as_cloud_wants_them(api, settings):
    jira = client(settings)
    meta = {f["fieldId"]: f for f in FIELDS}
    assert jira.field_value(meta["customfield_1"], "Low") == {"id": "11"}
    assert jira.field_value(meta["customfield_2"], "2.5") == 2.5
    assert jira.field_value(meta["customfield_2"], "3") == 3
    assert jira.field_value(meta["customfield_3"], "5b10ac8d82e05b22cc7d4ef5") == {
        "accountId": "5b10ac8d82e05b22cc7d4ef5"
    }
    assert jira.field_value(meta["customfield_4"], ["20", "DB"]) == [{"id": "20"}, {"id": "21"}]
    assert jira.field_value(meta["customfield_5"], "a, b") == [
        {"accountId": "a"},
        {"accountId": "b"},
    ]
    with pytest.raises(DeliveryFailed, match="Effort must be a number"):
        jira.field_value(meta["customfield_2"], "lots")


def test_data_center_names_users(settings):
    jira = client(settings, jira_version="server")
    assert jira.field_value(field("c", "Reviewer", "user"), "jsmith") == {"name": "jsmith"}
    assert "user name" in jira._as_field(field("c", "Reviewer", "user")).help


def test_a_project_without_the_issue_type_says_which_it_has(api, settings):
    api.get(META, json={"issueTypes": [{"id": "1", "name": "Task"}], "total": 1})
    with pytest.raises(DeliveryFailed, match="has no issue type Bug \\(it has Task\\)"):
        client(settings).required_fields({"issue_type": "Bug"})
