"""Every stage failure of every system, as an administrator would read it.

Each test is parametrised over the four built-in systems (see ``specs.py``):
DNS, TCP and TLS are faked (``conftest.FakeNetwork``), HTTP is ``responses``.
"""

from __future__ import annotations

import json
import ssl

import pytest
import requests
import responses

from tests.unit.trackers.specs import GITHUB_SPEC, GITLAB_SPEC, SPECS, Spec
from webapp.outbound.http import OutboundSettings
from webapp.outbound.results import CheckResult, Stage, StageStatus
from webapp.trackers import check_connection

OK, WARNING, FAILED, SKIPPED = (
    StageStatus.OK,
    StageStatus.WARNING,
    StageStatus.FAILED,
    StageStatus.SKIPPED,
)
by_system = pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.id)


def statuses(result: CheckResult) -> list[StageStatus]:
    return [stage.status for stage in result.stages]


def assert_rest_skipped(result: CheckResult, failed: Stage) -> None:
    stages = [stage.stage for stage in result.stages]
    for later in result.stages[stages.index(failed) + 1 :]:
        assert later.status is SKIPPED
        assert later.message == f"Skipped because the {failed.label} stage failed."


@by_system
def test_all_stages_pass_on_a_healthy_tracker(spec: Spec, api, settings) -> None:
    spec.serve(api)

    result = spec.check(settings)

    assert statuses(result) == [OK, OK, OK, OK, OK], result.to_dict()
    assert result.ok and result.contacted and result.failed_stage is None
    assert result.stage(Stage.REACH).message == f"Connected to {spec.host}:443 (203.0.113.10)."
    assert result.stage(Stage.TLS).message.startswith(f"The certificate of {spec.host} is valid")
    assert result.stage(Stage.AUTHENTICATE).http_status == 200


@by_system
def test_a_check_resolves_and_vets_the_trackers_host_once(spec: Spec, api, settings, net) -> None:
    spec.serve(api)

    spec.check(settings)

    assert net.resolved == [spec.host]  # by the reach stage; its requests reuse the verdict


@by_system
def test_dns_failure_fails_reach_and_skips_the_rest(spec: Spec, api, settings, net) -> None:
    net.resolve_error = OSError("Name or service not known")

    result = spec.check(settings)

    reach = result.stage(Stage.REACH)
    assert reach.status is FAILED
    assert reach.message == f"Could not resolve {spec.host}."
    assert_rest_skipped(result, Stage.REACH)
    assert len(api.calls) == 0


@by_system
def test_refused_connection_fails_reach_naming_host_and_port(spec: Spec, settings, net) -> None:
    net.connect_error = ConnectionRefusedError(111, "Connection refused")

    result = spec.check(settings, issue_tracker_server=f"{spec.host}:8443")

    assert result.failed_stage is not None
    assert result.failed_stage.stage is Stage.REACH
    assert result.failed_stage.message == f"Connection to {spec.host}:8443 was refused."
    assert_rest_skipped(result, Stage.REACH)


@by_system
def test_connect_timeout_fails_reach_within_the_connect_timeout(spec: Spec, net) -> None:
    net.connect_error = TimeoutError("timed out")
    settings = OutboundSettings(connect_timeout=2.5)

    result = spec.check(settings)

    reach = result.stage(Stage.REACH)
    assert reach.message == f"Could not connect to {spec.host}:443 within 2.5 s."
    assert net.connected == [("203.0.113.10", 443, 2.5)]


@by_system
def test_invalid_certificate_fails_tls(spec: Spec, api, settings, net) -> None:
    error = ssl.SSLCertVerificationError(1, "certificate verify failed")
    error.verify_message = "self-signed certificate"
    net.tls_error = error

    result = spec.check(settings)

    tls = result.stage(Stage.TLS)
    assert tls.status is FAILED
    assert tls.message == f"The certificate of {spec.host} is not valid: self-signed certificate."
    assert "Verify TLS certificate" in (tls.hint or "")
    assert_rest_skipped(result, Stage.TLS)
    assert len(api.calls) == 0


@by_system
def test_certificate_checks_off_is_a_warning_not_a_failure(spec: Spec, api, settings, net) -> None:
    spec.serve(api)

    result = spec.check(settings, issue_tracker_validate_cert=False)

    tls = result.stage(Stage.TLS)
    assert tls.status is WARNING
    assert tls.message.startswith("Certificate checks are off for this connector.")
    assert net.handshakes[0][1].verify_mode is ssl.CERT_NONE
    assert result.ok
    assert all(call.request.req_kwargs["verify"] is False for call in api.calls)


@by_system
def test_plain_http_is_a_warning(spec: Spec, api, settings, net) -> None:
    api.add(responses.GET, spec.url(spec.auth_path).replace("https:", "http:"), json=spec.user_body)

    result = spec.check(settings, issue_tracker_method="http", **spec.unset_target)

    assert result.stage(Stage.TLS).status is WARNING
    assert result.stage(Stage.TLS).message.startswith("Not using HTTPS")
    assert net.handshakes == []
    assert result.stage(Stage.REACH).message.startswith(f"Connected to {spec.host}:80 ")


@by_system
def test_rejected_credentials_fail_authenticate_with_the_trackers_message(
    spec: Spec, api, settings
) -> None:
    spec.serve(api, **{spec.auth_path: {"status": 401, "json": spec.error_body(spec.tracker_401)}})

    result = spec.check(settings)

    auth = result.stage(Stage.AUTHENTICATE)
    assert auth.status is FAILED
    assert auth.http_status == 401
    assert auth.message.startswith(f"{result_product(spec)} rejected the ")
    assert "(401): check" in auth.message
    assert auth.tracker_message == spec.tracker_401
    assert_rest_skipped(result, Stage.AUTHENTICATE)


def result_product(spec: Spec) -> str:
    return {"jira": "Jira"}.get(spec.id, spec.system.short_name)


@by_system
def test_forbidden_fails_authenticate_with_the_trackers_message(spec: Spec, api, settings) -> None:
    body = spec.error_body("Resource not accessible by integration")
    spec.serve(api, **{spec.auth_path: {"status": 403, "json": body}})

    auth = spec.check(settings).stage(Stage.AUTHENTICATE)

    assert auth.status is FAILED and auth.http_status == 403
    assert auth.message == (
        f"{result_product(spec)} refused GET {spec.base.split('.com', 1)[1]}{spec.auth_path} "
        "(403): the credentials work but are not allowed to do this."
    )
    assert auth.tracker_message == "Resource not accessible by integration"


@by_system
def test_missing_target_fails_target(spec: Spec, api, settings) -> None:
    spec.serve(api, **{spec.target_path: {"status": 404, "json": spec.error_body("Not Found")}})

    result = spec.check(settings)

    target = result.stage(Stage.TARGET)
    assert target.status is FAILED and target.http_status == 404
    assert target.message.startswith(f"{result_product(spec)} has no {spec.target_noun} ")
    assert target.message.endswith("cannot see it.")
    assert target.tracker_message == "Not Found"
    assert_rest_skipped(result, Stage.TARGET)


@by_system
def test_server_error_fails_with_status_and_reason(spec: Spec, api, settings) -> None:
    spec.serve(api, **{spec.auth_path: {"status": 502, "body": "<h1>502 Bad Gateway</h1>"}})

    auth = spec.check(settings).stage(Stage.AUTHENTICATE)

    assert auth.status is FAILED and auth.http_status == 502
    assert "answered 502 Bad Gateway to GET" in auth.message
    assert auth.message.endswith("has a problem; try again later.")
    assert auth.tracker_message is None  # an HTML page is not quoted


@by_system
def test_html_instead_of_json_fails_authenticate(spec: Spec, api, settings) -> None:
    page = "<html><head><title>Sign in - Proxy</title></head><body>Log in</body></html>"
    spec.serve(api, **{spec.auth_path: {"status": 200, "body": page, "content_type": "text/html"}})

    auth = spec.check(settings).stage(Stage.AUTHENTICATE)

    assert auth.status is FAILED and auth.http_status == 200
    assert "with 200 text/html, not the tracker's API" in auth.message
    assert "Sign in" not in auth.message and auth.tracker_message is None


@by_system
def test_json_that_is_not_an_object_fails_authenticate(spec: Spec, api, settings) -> None:
    spec.serve(api, **{spec.auth_path: {"json": ["not", "an", "object"]}})

    auth = spec.check(settings).stage(Stage.AUTHENTICATE)

    assert auth.status is FAILED
    assert "with 200 application/json, not the tracker's API" in auth.message


@by_system
def test_read_timeout_fails_authenticate_naming_the_timeout(spec: Spec, api, settings) -> None:
    spec.serve(api, **{spec.auth_path: {"body": requests.ReadTimeout("read timed out")}})

    result = spec.check(settings)

    auth = result.stage(Stage.AUTHENTICATE)
    assert auth.status is FAILED and auth.http_status is None
    assert auth.message == f"No answer from {spec.host}:443 within 10 s."
    assert_rest_skipped(result, Stage.AUTHENTICATE)


@by_system
def test_connection_lost_after_reach_fails_the_stage(spec: Spec, api, settings) -> None:
    error = requests.ConnectionError(ConnectionResetError(104, "Connection reset by peer"))
    spec.serve(api, **{spec.target_path: {"body": error}})

    target = spec.check(settings).stage(Stage.TARGET)

    assert target.status is FAILED
    assert target.message == f"{spec.host}:443 closed the connection without answering."


@pytest.mark.parametrize(
    "spec",
    [spec for spec in SPECS if spec.system.field(spec.target_param).default is None],
    ids=lambda spec: spec.id,
)  # RT's queue defaults to General, so it is never unset
def test_unset_target_skips_target_and_permission(spec: Spec, api, settings) -> None:
    spec.serve(api)

    result = spec.check(settings, **spec.unset_target)

    assert statuses(result)[:3] == [OK, OK, OK]
    target, permission = result.stage(Stage.TARGET), result.stage(Stage.PERMISSION)
    assert target.status is SKIPPED
    assert target.message == f"Not set: tickets will ask for the {spec.target_noun}."
    assert permission.status is SKIPPED
    assert result.ok


@by_system
def test_missing_create_permission_fails_permission(spec: Spec, api, settings) -> None:
    spec.serve(api, **{path: {"json": body} for path, body in spec.no_permission.items()})

    result = spec.check(settings)

    assert statuses(result) == [OK, OK, OK, OK, FAILED], result.to_dict()
    assert not result.ok
    assert result.failed_stage is result.stage(Stage.PERMISSION)


@by_system
def test_inaccessible_connector_is_not_contacted(spec: Spec, api, settings, net) -> None:
    result = check_connection(spec.system, spec.params, spec.secrets, settings, inaccessible=True)

    assert not result.contacted and not result.ok
    assert result.stages[0].message == (
        "This connector is marked inaccessible: Connector Desk does not contact it."
    )
    assert statuses(result) == [SKIPPED] * 5
    assert net.resolved == [] and len(api.calls) == 0


@by_system
def test_secrets_never_appear_in_a_result_even_when_the_tracker_echoes_them(
    spec: Spec, api, settings
) -> None:
    sent = " ".join(spec.credentials.values())
    echo = f"Bad credentials: got {sent!r}, i.e. {spec.secret_values} / {sent.split()[-1]}"
    spec.serve(api, **{spec.auth_path: {"status": 401, "json": spec.error_body(echo)}})

    payload = json.dumps(spec.check(settings).to_dict())

    assert "********" in payload
    for secret in spec.secret_values:
        assert secret not in payload
        assert requests.utils.quote(secret, safe="") not in payload
    assert sent.split()[-1] not in payload  # the header value, e.g. base64 user:password


@by_system
def test_every_request_carries_credentials_user_agent_and_timeouts(
    spec: Spec, api, settings
) -> None:
    spec.serve(api)

    spec.check(settings)

    assert len(api.calls) >= 2
    for call in api.calls:
        headers = call.request.headers
        assert headers["User-Agent"] == "ConnectorDesk/0.1.0"
        assert {name: headers.get(name) for name in spec.credentials} == spec.credentials
        assert call.request.req_kwargs["timeout"] == (5.0, 10.0)
        assert call.request.req_kwargs["verify"] == settings.ca_file


@by_system
def test_redirect_to_another_host_drops_credentials(spec: Spec, api, settings) -> None:
    elsewhere = "https://login.other.example.net/api"
    api.add(responses.GET, spec.url(spec.auth_path), status=302, headers={"Location": elsewhere})
    api.add(responses.GET, elsewhere, json=spec.user_body)

    spec.check(settings, **spec.unset_target)

    first, second = api.calls[0].request, api.calls[1].request
    assert second.url == elsewhere
    assert all(first.headers.get(name) for name in spec.credentials)
    assert not any(name in second.headers for name in ("Authorization", "PRIVATE-TOKEN"))


@pytest.mark.off_contract("the tracker moves its API to /moved/..., a path no contract has")
@by_system
def test_redirect_within_the_host_keeps_credentials(spec: Spec, api, settings) -> None:
    moved = spec.url("/moved" + spec.auth_path)
    api.add(responses.GET, spec.url(spec.auth_path), status=301, headers={"Location": moved})
    api.add(responses.GET, moved, json=spec.user_body)

    result = spec.check(settings, **spec.unset_target)

    assert result.stage(Stage.AUTHENTICATE).status is OK
    assert {k: api.calls[1].request.headers.get(k) for k in spec.credentials} == spec.credentials


@by_system
def test_missing_secret_fails_authenticate_without_sending_anything(
    spec: Spec, api, settings
) -> None:
    result = check_connection(spec.system, spec.params, {}, settings)

    auth = result.stage(Stage.AUTHENTICATE)
    assert auth.status is FAILED
    assert auth.message.startswith("No ")
    assert auth.message.endswith("set: enter it in the connector's form.") or auth.message.endswith(
        "set: enter them in the connector's form."
    )
    assert len(api.calls) == 0


def test_certificate_about_to_expire_is_a_warning(api, settings, net) -> None:
    spec = GITHUB_SPEC
    spec.serve(api)
    net.tls_socket.not_after = "Jan  1 00:00:00 2000 GMT"

    tls = spec.check(settings).stage(Stage.TLS)

    assert tls.status is WARNING
    assert tls.message.startswith(
        f"The certificate of {spec.host} is valid but expires on 2000-01-01"
    )


def test_ipv6_literal_server_is_reached_on_its_port(api, settings, net) -> None:
    spec = GITLAB_SPEC
    api.add(responses.GET, "https://[2001:db8::1]:8443/api/v4/user", json=spec.user_body)

    result = spec.check(settings, issue_tracker_server="[2001:db8::1]:8443", gitlab_project="")

    assert result.stage(Stage.REACH).message == "Connected to [2001:db8::1]:8443."
    assert net.handshakes[0][0] == "2001:db8::1"
    assert result.ok


def test_invalid_server_address_fails_reach(settings, net) -> None:
    result = GITLAB_SPEC.check(settings, issue_tracker_server="gitlab.example.com:99999")

    assert (
        result.stage(Stage.REACH).message
        == "gitlab.example.com:99999 is not a valid server address."
    )
    assert net.resolved == []
