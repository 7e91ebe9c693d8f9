"""The one outbound path: network policy, redirects, identity and settings."""

from __future__ import annotations

import ipaddress

import pytest
import requests
import responses

from tests.unit.trackers.specs import SPECS
from webapp.outbound import network
from webapp.outbound.http import OutboundSettings, TooManyRedirects, TrackerHTTP
from webapp.outbound.network import DeniedAddress, denied_network, parse_networks
from webapp.outbound.results import Stage, StageStatus

DENY = parse_networks(["169.254.0.0/16", "fe80::/10"])
SPEC = {spec.id: spec for spec in SPECS}


@pytest.mark.parametrize(
    "address",
    ["169.254.169.254", "169.254.0.1", "fe80::1", "fe80::1%eth0", "::ffff:169.254.169.254"],
)
def test_link_local_and_metadata_addresses_are_denied(address: str) -> None:
    assert denied_network(ipaddress.ip_address(address), DENY, ()) is not None


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.1.2.3", "192.168.0.10", "172.16.5.5", "::1", "203.0.113.10"]
)
def test_private_and_loopback_addresses_stay_allowed(address: str) -> None:
    assert denied_network(ipaddress.ip_address(address), DENY, ()) is None


def test_allow_list_wins_over_deny_list() -> None:
    allow = parse_networks(["169.254.10.0/24"])

    assert denied_network(ipaddress.ip_address("169.254.10.5"), DENY, allow) is None
    assert denied_network(ipaddress.ip_address("169.254.11.5"), DENY, allow) is not None


def test_ip_literal_server_in_a_denied_network_fails_reach_without_dns(settings) -> None:
    spec = SPEC["rt"]

    result = spec.check(settings, issue_tracker_server="169.254.169.254")

    reach = result.stage(Stage.REACH)
    assert reach.status is StageStatus.FAILED
    assert reach.message == (
        "Refused to contact 169.254.169.254: 169.254.0.0/16 is a denied network "
        "(link-local and cloud-metadata addresses are refused by default)."
    )
    assert reach.hint == "An administrator can allow it with OUTBOUND_ALLOW_NETWORKS."


def test_host_with_any_denied_address_is_refused_before_connecting(net, settings) -> None:
    net.addresses["metadata.example.com"] = ["203.0.113.10", "fe80::1"]

    result = SPEC["gitlab"].check(settings, issue_tracker_server="metadata.example.com")

    assert "metadata.example.com (fe80::1)" in result.stage(Stage.REACH).message
    assert net.connected == []


def test_allowed_network_lets_a_denied_address_through(net, api) -> None:
    spec = SPEC["gitlab"]
    net.addresses[spec.host] = ["169.254.169.254"]
    spec.serve(api)
    settings = OutboundSettings(allow_networks=("169.254.169.254/32",))

    assert spec.check(settings).ok


def test_redirect_into_a_denied_network_is_refused(net, api, settings) -> None:
    spec = SPEC["github"]
    metadata = "http://169.254.169.254/latest/meta-data/"
    api.add(responses.GET, spec.url("/user"), status=302, headers={"Location": metadata})

    auth = spec.check(settings).stage(Stage.AUTHENTICATE)

    assert auth.status is StageStatus.FAILED
    assert auth.message.startswith("Refused to contact 169.254.169.254: 169.254.0.0/16")
    assert [call.request.url for call in api.calls] == [spec.url("/user")]


def test_a_host_is_resolved_and_vetted_once_per_client(net, api, settings) -> None:
    api.add(responses.GET, "https://t.example.com/a", json={})
    api.add(responses.GET, "https://t.example.com/b", json={})

    with TrackerHTTP(settings) as http:
        http.request("GET", "https://t.example.com/a")
        http.request("GET", "https://t.example.com/b")

    assert net.resolved == ["t.example.com"]


def test_each_client_vets_its_hosts_afresh(net, api, settings) -> None:
    api.add(responses.GET, "https://t.example.com/a", json={})

    for _ in range(2):
        with TrackerHTTP(settings) as http:
            http.request("GET", "https://t.example.com/a")

    assert net.resolved == ["t.example.com", "t.example.com"]


def test_a_redirect_to_a_denied_host_is_refused_after_other_hosts_were_vetted(
    net, api, settings
) -> None:
    net.addresses["evil.example.com"] = ["169.254.169.254"]
    api.add(responses.GET, "https://t.example.com/a", json={})
    api.add(
        responses.GET,
        "https://t.example.com/b",
        status=302,
        headers={"Location": "https://evil.example.com/"},
    )

    with TrackerHTTP(settings) as http, pytest.raises(DeniedAddress):
        http.request("GET", "https://t.example.com/a")
        http.request("GET", "https://t.example.com/b")

    assert [call.request.url for call in api.calls][-1] == "https://t.example.com/b"


def test_endless_redirects_stop_after_five(net, api, settings) -> None:
    spec = SPEC["rt"]
    url = spec.url(spec.auth_path)
    api.add(responses.GET, url, status=302, headers={"Location": url})

    auth = spec.check(settings).stage(Stage.AUTHENTICATE)

    assert auth.message == f"More than 5 redirects; the last one went to {url}."
    assert len(api.calls) == 6


def test_https_to_http_redirect_on_the_same_host_drops_credentials(net, api, settings) -> None:
    api.add(
        responses.GET,
        "https://t.example.com/a",
        status=302,
        headers={"Location": "http://t.example.com/b"},
    )
    api.add(responses.GET, "http://t.example.com/b", json={})

    with TrackerHTTP(settings) as http:
        http.request("GET", "https://t.example.com/a", headers={"Authorization": "token x"})

    assert "Authorization" not in api.calls[1].request.headers


def test_see_other_turns_a_post_into_a_get_without_body(net, api, settings) -> None:
    api.add(responses.POST, "https://t.example.com/new", status=303, headers={"Location": "/done"})
    api.add(responses.GET, "https://t.example.com/done", json={"ok": True})

    with TrackerHTTP(settings) as http:
        response = http.request("POST", "https://t.example.com/new", json={"title": "x"})

    assert response.json() == {"ok": True}
    assert api.calls[1].request.method == "GET" and api.calls[1].request.body is None


def test_cookies_are_never_stored_or_sent(net, api, settings) -> None:
    api.add(
        responses.GET, "https://t.example.com/a", json={}, headers={"Set-Cookie": "s=1; Path=/"}
    )
    api.add(responses.GET, "https://t.example.com/b", json={})

    with TrackerHTTP(settings) as http:
        http.request("GET", "https://t.example.com/a")
        http.request("GET", "https://t.example.com/b")

    assert "Cookie" not in api.calls[1].request.headers


def test_direct_request_to_denied_host_raises_a_typed_error(net, settings) -> None:
    net.addresses["evil.example.com"] = ["169.254.169.254"]

    with TrackerHTTP(settings) as http, pytest.raises(DeniedAddress) as refused:
        http.request("GET", "https://evil.example.com/")

    assert refused.value.network == ipaddress.ip_network("169.254.0.0/16")


def test_too_many_redirects_is_a_typed_error(net, api) -> None:
    api.add(responses.GET, "https://t.example.com/a", status=307, headers={"Location": "/a"})

    with TrackerHTTP(OutboundSettings(max_redirects=2)) as http, pytest.raises(TooManyRedirects):
        http.request("GET", "https://t.example.com/a")

    assert len(api.calls) == 3


def test_no_environment_proxy_or_netrc_is_used(net, api, settings, monkeypatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    api.add(responses.GET, "https://t.example.com/a", json={})

    with TrackerHTTP(settings) as http:
        http.request("GET", "https://t.example.com/a")

    assert http.session.trust_env is False
    assert api.calls[0].request.req_kwargs["proxies"] == {}


# ---- settings ---------------------------------------------------------------


def test_default_settings_match_the_documented_defaults() -> None:
    settings = OutboundSettings()

    assert settings.timeout == (5.0, 10.0)
    assert settings.user_agent == "ConnectorDesk/0.1.0"
    assert settings.deny_networks == DENY
    assert settings.allow_networks == ()
    assert settings.verify_tls is True


def test_settings_from_config_read_timeouts_and_comma_separated_networks() -> None:
    config = {
        "TRACKER_CONNECT_TIMEOUT": 2,
        "TRACKER_READ_TIMEOUT": "7.5",
        "OUTBOUND_DENY_NETWORKS": "169.254.0.0/16, 100.64.0.0/10",
        "OUTBOUND_ALLOW_NETWORKS": ["169.254.169.123/32"],
    }

    settings = OutboundSettings.from_config(config)

    assert settings.timeout == (2.0, 7.5)
    assert settings.deny_networks == parse_networks(["169.254.0.0/16", "100.64.0.0/10"])
    assert settings.allow_networks == parse_networks(["169.254.169.123/32"])


def test_empty_deny_list_in_config_denies_nothing() -> None:
    assert OutboundSettings.from_config({"OUTBOUND_DENY_NETWORKS": ""}).deny_networks == ()


@pytest.mark.parametrize(
    "bad", [{"deny_networks": ("not-a-network",)}, {"connect_timeout": 0}, {"read_timeout": -1}]
)
def test_invalid_settings_are_refused_early(bad) -> None:
    with pytest.raises(ValueError):
        OutboundSettings(**bad)


def test_ca_bundle_setting_is_used_for_verification(net, api) -> None:
    api.add(responses.GET, "https://t.example.com/a", json={})

    with TrackerHTTP(OutboundSettings(ca_bundle="/etc/our-ca.pem")) as http:
        http.request("GET", "https://t.example.com/a")

    assert api.calls[0].request.req_kwargs["verify"] == "/etc/our-ca.pem"


def test_real_resolver_turns_dns_errors_into_a_typed_error(monkeypatch) -> None:
    def fail(*args, **kwargs):
        raise network.socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(network.socket, "getaddrinfo", fail)

    with pytest.raises(network.ResolveError, match=r"Could not resolve nowhere\.example\."):
        network.resolve("nowhere.example", 443)


def test_real_resolver_accepts_ip_literals_without_dns() -> None:
    assert network.resolve("127.0.0.1", 80) == [ipaddress.ip_address("127.0.0.1")]
    assert network.resolve("::1", 80) == [ipaddress.ip_address("::1")]


def test_requests_errors_stay_requests_errors(net, api, settings) -> None:
    api.add(responses.GET, "https://t.example.com/a", body=requests.ConnectTimeout("slow"))

    with TrackerHTTP(settings) as http, pytest.raises(requests.ConnectTimeout):
        http.request("GET", "https://t.example.com/a")
