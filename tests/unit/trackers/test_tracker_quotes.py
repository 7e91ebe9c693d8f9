"""What a message may quote of a tracker's answer: recognised JSON error fields only.

A tracker (or whatever answers at its address) chooses its bodies freely: a text/plain
debug dump with "db_password=…", a 500 page, unknown JSON keys. Connection tests and
deliveries quote only the tracker's own error fields of a JSON answer (GitLab
``message``/``error``, GitHub ``message``, Jira ``errorMessages``/``errors``, RT
``message``), scrubbed and capped at 200 characters; for anything else they name the
status and content type.
"""

from __future__ import annotations

import json

import pytest

from tests.support.tracker_calls import create_issue
from tests.unit.trackers.specs import SPECS, Spec
from webapp.outbound.results import Stage, StageStatus
from webapp.outbound.scrub import QUOTE_LIMIT
from webapp.trackers.tickets import DeliveryFailed, IssueDraft

LEAK = "internal db_password=hunter2 at 10.0.0.5"
each_spec = pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.id)
DRAFT = IssueDraft("Title", "Body\nmarker-1", "marker-1")


def delivery_failure(api, spec: Spec, settings, **answer) -> DeliveryFailed:
    spec.serve_create(api, **answer)
    with pytest.raises(DeliveryFailed) as caught:
        create_issue(spec.system, spec.params, spec.secrets, settings, DRAFT)
    return caught.value


@each_spec
def test_a_text_plain_answer_is_named_not_quoted(spec: Spec, api, settings) -> None:
    spec.serve(api, **{spec.auth_path: {"status": 200, "body": LEAK, "content_type": "text/plain"}})

    auth = spec.check(settings).stage(Stage.AUTHENTICATE)

    assert auth.status is StageStatus.FAILED
    assert "with 200 text/plain, not the tracker's API" in auth.message
    assert "hunter2" not in json.dumps(auth.to_dict())


@each_spec
def test_a_500_page_is_named_by_status_only(spec: Spec, api, settings) -> None:
    body = (LEAK + " ") * 40
    spec.serve(api, **{spec.auth_path: {"status": 500, "body": body, "content_type": "text/plain"}})

    auth = spec.check(settings).stage(Stage.AUTHENTICATE)

    assert "answered 500 Internal Server Error to GET" in auth.message
    assert auth.tracker_message is None
    assert "hunter2" not in json.dumps(auth.to_dict())


@each_spec
def test_unrecognised_json_fields_are_not_quoted(spec: Spec, api, settings) -> None:
    body = {"debug": LEAK, "trace": [LEAK]}
    spec.serve(api, **{spec.auth_path: {"status": 500, "json": body}})

    auth = spec.check(settings).stage(Stage.AUTHENTICATE)

    assert auth.tracker_message is None and "hunter2" not in json.dumps(auth.to_dict())


@each_spec
def test_recognised_error_fields_are_quoted_scrubbed_and_capped(spec: Spec, api, settings) -> None:
    said = f"Token {spec.secret_values[0]} rejected; {LEAK}; " + "more " * 100
    spec.serve(api, **{spec.auth_path: {"status": 401, "json": spec.error_body(said)}})

    auth = spec.check(settings).stage(Stage.AUTHENTICATE)

    quoted = auth.tracker_message or ""
    assert quoted.startswith("Token ******** rejected; internal db_password=********")
    assert len(quoted) <= QUOTE_LIMIT


@each_spec
def test_delivery_errors_quote_only_json_error_fields(spec: Spec, api, settings) -> None:
    failure = delivery_failure(
        api, spec, settings, status=500, body=(LEAK + " ") * 40, content_type="text/plain"
    )

    assert "answered 500 Internal Server Error" in failure.message
    assert "said" not in failure.message and "hunter2" not in failure.message


@each_spec
def test_delivery_quotes_are_scrubbed_and_capped(spec: Spec, api, settings) -> None:
    said = f"{LEAK} " + "x" * 600
    failure = delivery_failure(api, spec, settings, status=403, json=spec.error_body(said))

    quoted = failure.message.split(" said: ", 1)[1]
    assert quoted.startswith("internal db_password=******** at 10.0.0.5")
    assert len(quoted) <= QUOTE_LIMIT


@each_spec
def test_a_create_answered_with_text_names_the_content_type(spec: Spec, api, settings) -> None:
    failure = delivery_failure(
        api, spec, settings, status=201, body=LEAK, content_type="text/plain"
    )

    assert "201 text/plain, not the tracker's API" in failure.message
    assert "hunter2" not in failure.message


def test_field_errors_from_the_tracker_are_capped(api, settings) -> None:
    spec = next(spec for spec in SPECS if spec.id == "jira")
    body = {"errorMessages": [], "errors": {"summary": f"{LEAK} " + "y" * 600}}

    failure = delivery_failure(api, spec, settings, status=400, json=body)

    [complaint] = failure.field_errors["title"]
    assert "hunter2" not in complaint and len(complaint) <= QUOTE_LIMIT
