"""Connection checks against local fake trackers and a real Request Tracker.

Why real sockets here: the unit tests fake DNS, TCP and TLS; these prove the
same stages against servers that really refuse, hang, present a self-signed
certificate or answer in each tracker's documented shapes (``tests/fakes``),
and against RT 5 itself for the parts our fake can only believe.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from tests.fakes import (
    FakeGitHub,
    FakeGitLab,
    FakeJira,
    FakeRT,
    FakeServer,
    HangingServer,
    refused_address,
)
from tests.support.rt_server import RTServer
from webapp.outbound.http import OutboundSettings
from webapp.outbound.results import CheckResult, Stage, StageStatus
from webapp.trackers import check_connection
from webapp.trackers.batch import CheckJob, check_many
from webapp.trackers.github import GITHUB
from webapp.trackers.gitlab import GITLAB
from webapp.trackers.jira import JIRA
from webapp.trackers.rt import RT
from webapp.trackers.system import System

OK, WARNING, FAILED, SKIPPED = (
    StageStatus.OK,
    StageStatus.WARNING,
    StageStatus.FAILED,
    StageStatus.SKIPPED,
)
SETTINGS = OutboundSettings(connect_timeout=2.0, read_timeout=2.0)
Json = dict[str, Any]


@dataclass(frozen=True)
class Tracker:
    """How to start one fake tracker and the connector settings that reach it."""

    system: System
    start: Callable[..., FakeServer]  # keyword arguments go to the fake
    params: Callable[[str], Json]  # host:port -> connector params
    secrets: dict[str, str]
    wrong_secrets: dict[str, str]
    tracker_401: str | None  # None: the tracker's 401 is not JSON, so it is not quoted
    missing_target: Json  # params naming a target the fake does not have
    tracker_404: str
    denying: Json  # fake arguments under which creating issues is not allowed

    def check(
        self,
        host_port: str,
        method: str = "http",
        settings: OutboundSettings = SETTINGS,
        secrets: dict[str, str] | None = None,
        **params: Any,
    ) -> CheckResult:
        params = {**self.params(host_port), "issue_tracker_method": method, **params}
        return check_connection(self.system, params, secrets or self.secrets, settings)


def github(**kw: Any) -> FakeServer:
    return FakeGitHub("ghp_GOOD-gh-token", prefix="/api/v3", orgs=["acme"], **kw)


def gitlab(**kw: Any) -> FakeServer:
    return FakeGitLab("glpat-GOOD-gl-token", **kw)


def jira(**kw: Any) -> FakeServer:
    return FakeJira({"me@example.com": "GOOD-jira-api-token"}, prefix="/jira", **kw)


def rt(**kw: Any) -> FakeServer:
    return FakeRT(tokens={"1-1-GOOD-rt-token": "root"}, prefix="/rt", **kw)


TRACKERS = [
    Tracker(
        GITHUB,
        lambda **kw: github(repos=kw.pop("repos", {"acme/app": {}}), **kw),
        lambda hp: {
            "issue_tracker_server": hp,
            "github_repo_owner": "acme",
            "github_repo_name": "app",
        },
        {"issue_tracker_api_token": "ghp_GOOD-gh-token"},
        {"issue_tracker_api_token": "ghp_WRONG-gh-token"},
        "Bad credentials",
        {"github_repo_name": "nope"},
        "Not Found",
        {"repos": {"acme/app": {"has_issues": False}}},
    ),
    Tracker(
        GITLAB,
        lambda **kw: gitlab(projects=kw.pop("projects", {"group/proj": {}}), **kw),
        lambda hp: {"issue_tracker_server": hp, "gitlab_project": "group/proj"},
        {"issue_tracker_api_token": "glpat-GOOD-gl-token"},
        {"issue_tracker_api_token": "glpat-WRONG-gl-token"},
        "401 Unauthorized",
        {"gitlab_project": "group/nope"},
        "404 Project Not Found",
        {"projects": {"group/proj": {"permissions": {"project_access": {"access_level": 5}}}}},
    ),
    Tracker(
        JIRA,
        lambda **kw: jira(**kw),
        lambda hp: {
            "issue_tracker_server": f"{hp}/jira",
            "issue_tracker_auth_mode": "basic",
            "issue_tracker_user": "me@example.com",
            "jira_project_key": "OPS",
        },
        {"issue_tracker_pass": "GOOD-jira-api-token"},
        {"issue_tracker_pass": "WRONG-jira-api-token"},
        None,  # Jira Cloud's 401 is text/plain: "Client must be authenticated…"
        {"jira_project_key": "NOPE"},
        "No project could be found with key 'NOPE'.",
        {"permissions": {"CREATE_ISSUES": False}},
    ),
    Tracker(
        RT,
        lambda **kw: rt(**kw),
        lambda hp: {"issue_tracker_server": f"{hp}/rt", "rt_queue": "General"},
        {"issue_tracker_api_token": "1-1-GOOD-rt-token"},
        {"issue_tracker_api_token": "1-1-WRONG-rt-token"},
        "Unauthorized",
        {"rt_queue": "Nope"},
        "Not Found",
        {"queues": {"General": {"can_create": False}}},
    ),
]
each_tracker = pytest.mark.parametrize("tracker", TRACKERS, ids=lambda t: t.system.id)
insecure_allowed = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")


def statuses(result: CheckResult) -> list[StageStatus]:
    return [stage.status for stage in result.stages]


@pytest.fixture
def hanging() -> Iterator[HangingServer]:
    with HangingServer() as server:
        yield server


@each_tracker
def test_good_settings_pass_every_stage(tracker: Tracker) -> None:
    with tracker.start() as fake:
        result = tracker.check(fake.host_port)

    assert statuses(result) == [OK, WARNING, OK, OK, OK], result.to_dict()
    assert result.ok
    assert {r.headers["User-Agent"] for r in fake.requests} == {"ConnectorDesk/0.1.0"}
    assert fake.errors == []


@each_tracker
def test_wrong_credentials_fail_authenticate_with_the_trackers_message(tracker: Tracker) -> None:
    with tracker.start() as fake:
        result = tracker.check(fake.host_port, secrets=tracker.wrong_secrets)

    auth = result.stage(Stage.AUTHENTICATE)
    assert auth.status is FAILED and auth.http_status == 401
    assert auth.tracker_message == tracker.tracker_401
    assert " rejected the " in auth.message
    assert statuses(result)[3:] == [SKIPPED, SKIPPED]


@each_tracker
def test_missing_target_fails_target(tracker: Tracker) -> None:
    with tracker.start() as fake:
        result = tracker.check(fake.host_port, **tracker.missing_target)

    target = result.stage(Stage.TARGET)
    assert target.status is FAILED and target.http_status == 404
    assert target.tracker_message == tracker.tracker_404
    assert target.message.endswith("cannot see it.")


@each_tracker
def test_missing_create_permission_fails_permission(tracker: Tracker) -> None:
    with tracker.start(**tracker.denying) as fake:
        result = tracker.check(fake.host_port)

    assert statuses(result) == [OK, WARNING, OK, OK, FAILED], result.to_dict()


@each_tracker
def test_hanging_tracker_fails_authenticate_within_the_read_timeout(
    tracker: Tracker, hanging: HangingServer
) -> None:
    settings = OutboundSettings(connect_timeout=0.5, read_timeout=0.5)
    begin = time.monotonic()

    result = tracker.check(hanging.host_port, settings=settings)

    elapsed = time.monotonic() - begin
    assert statuses(result) == [OK, WARNING, FAILED, SKIPPED, SKIPPED]
    assert result.stage(Stage.AUTHENTICATE).message == (
        f"No answer from {hanging.host_port} within 0.5 s."
    )
    assert elapsed < 2.5, elapsed  # one read timeout, with generous slack


@each_tracker
def test_refused_port_fails_reach(tracker: Tracker) -> None:
    address = refused_address()

    result = tracker.check(address)

    reach = result.stage(Stage.REACH)
    assert reach.status is FAILED
    assert reach.message == f"Connection to {address} was refused."


@each_tracker
def test_self_signed_certificate_fails_tls(tracker: Tracker) -> None:
    with tracker.start(tls=True) as fake:
        result = tracker.check(fake.host_port, method="https")

    tls = result.stage(Stage.TLS)
    assert tls.status is FAILED
    assert tls.message == "The certificate of 127.0.0.1 is not valid: self-signed certificate."
    assert [r.path for r in fake.requests] == []


@insecure_allowed
@each_tracker
def test_certificate_checks_off_warn_and_the_check_passes(tracker: Tracker) -> None:
    with tracker.start(tls=True) as fake:
        result = tracker.check(fake.host_port, method="https", issue_tracker_validate_cert=False)

    assert statuses(result) == [OK, WARNING, OK, OK, OK], result.to_dict()
    assert result.stage(Stage.TLS).message.startswith("Certificate checks are off")


@each_tracker
def test_certificate_from_a_trusted_bundle_passes(tracker: Tracker) -> None:
    with tracker.start(tls=True) as fake:
        settings = OutboundSettings(connect_timeout=2.0, read_timeout=2.0, ca_bundle=fake.cert_path)
        result = tracker.check(fake.host_port, method="https", settings=settings)

    assert result.ok, result.to_dict()
    # The fakes' certificates live one day, which the TLS stage rightly flags.
    assert result.stage(Stage.TLS).message.startswith("The certificate of 127.0.0.1 is valid")


@each_tracker
def test_the_whole_check_makes_one_connection(tracker: Tracker) -> None:
    with tracker.start() as fake:
        result = tracker.check(fake.host_port)
        connections = fake.connections

    assert result.ok, result.to_dict()
    assert len(fake.requests) >= 2
    assert connections == 1  # the reach stage's, then every request over it


@each_tracker
def test_the_whole_https_check_makes_one_connection(tracker: Tracker) -> None:
    # The fakes speak TLS 1.3, so their session tickets wait unread on the handed-over socket.
    with tracker.start(tls=True) as fake:
        settings = OutboundSettings(connect_timeout=2.0, read_timeout=2.0, ca_bundle=fake.cert_path)
        result = tracker.check(fake.host_port, method="https", settings=settings)
        connections = fake.connections

    assert result.ok, result.to_dict()
    assert len(fake.requests) >= 2
    assert connections == 1  # one TCP connection, one TLS handshake


@insecure_allowed
@each_tracker
def test_with_certificate_checks_off_the_https_check_makes_one_connection_too(
    tracker: Tracker,
) -> None:
    with tracker.start(tls=True) as fake:
        tracker.check(fake.host_port, method="https", issue_tracker_validate_cert=False)
        connections = fake.connections

    assert connections == 1


@each_tracker
def test_credentials_echoed_by_the_tracker_are_scrubbed(tracker: Tracker) -> None:
    with tracker.start(echo_credentials_in_errors=True) as fake:
        result = tracker.check(fake.host_port, secrets=tracker.wrong_secrets)

    payload = json.dumps(result.to_dict())
    assert result.stage(Stage.AUTHENTICATE).status is FAILED
    for secret in tracker.wrong_secrets.values():
        assert secret not in payload
    # Quoted and masked, or (a text/plain 401) not quoted at all.
    assert "********" in payload or tracker.tracker_401 is None


# ---- many at once -----------------------------------------------------------


def _jobs_against(fakes: list[FakeServer], hung: list[HangingServer], settings) -> list[CheckJob]:
    by_system = {t.system.id: t for t in TRACKERS}
    kinds = [TRACKERS[i % len(TRACKERS)] for i in range(len(fakes))]
    jobs = [
        CheckJob(
            t.system, {**t.params(f.host_port), "issue_tracker_method": "http"}, t.secrets, settings
        )
        for t, f in zip(kinds, fakes, strict=True)
    ]
    rt_tracker = by_system["rt"]
    for server in hung:
        params = {**rt_tracker.params(server.host_port), "issue_tracker_method": "http"}
        jobs.append(CheckJob(RT, params, rt_tracker.secrets, settings))
    return jobs


def _run_many(good: int, hung: int, timeout: float) -> tuple[list[CheckResult], float]:
    settings = OutboundSettings(connect_timeout=timeout, read_timeout=timeout)
    fakes = [TRACKERS[i % len(TRACKERS)].start() for i in range(good)]
    hanging = [HangingServer() for _ in range(hung)]
    try:
        for server in [*fakes, *hanging]:
            server.start()
        jobs = _jobs_against(fakes, hanging, settings)
        begin = time.monotonic()
        results = check_many(jobs, max_workers=8)
        return results, time.monotonic() - begin
    finally:
        for server in [*fakes, *hanging]:
            server.stop()


def test_one_hung_tracker_among_twenty_costs_about_one_timeout() -> None:
    results, elapsed = _run_many(good=20, hung=1, timeout=1.0)

    assert [r.ok for r in results] == [True] * 20 + [False]
    assert results[-1].failed_stage is not None
    assert results[-1].failed_stage.message.startswith("No answer from 127.0.0.1:")
    assert elapsed < 1.0 + 3.0, elapsed


def test_hung_trackers_are_waited_for_side_by_side() -> None:
    results, elapsed = _run_many(good=20, hung=4, timeout=1.0)

    assert sum(r.ok for r in results) == 20
    assert elapsed < 4 * 1.0, elapsed  # one after another would take at least 4 s


# ---- a real Request Tracker -------------------------------------------------


def _rt_check(server: RTServer, secrets: dict[str, str], **params: Any) -> CheckResult:
    base = {"issue_tracker_server": server.host_port, "issue_tracker_method": "http"}
    settings = OutboundSettings(connect_timeout=5.0, read_timeout=30.0)
    return check_connection(RT, {**base, **params}, secrets, settings)


def _basic(server: RTServer, user: str | None = None) -> Json:
    return {"issue_tracker_auth_mode": "basic", "issue_tracker_user": user or server.username}


def test_real_rt_good_check_with_basic_auth(rt_server: RTServer) -> None:
    result = _rt_check(rt_server, {"issue_tracker_pass": rt_server.password}, **_basic(rt_server))

    assert statuses(result) == [OK, WARNING, OK, OK, OK], result.to_dict()
    assert result.stage(Stage.AUTHENTICATE).message.startswith("Signed in as root to RT 5.")


def test_real_rt_good_check_with_auth_token(rt_server: RTServer) -> None:
    result = _rt_check(rt_server, {"issue_tracker_api_token": rt_server.token})

    assert result.ok, result.to_dict()


def test_real_rt_wrong_password_fails_authenticate(rt_server: RTServer) -> None:
    result = _rt_check(rt_server, {"issue_tracker_pass": "wrong-password"}, **_basic(rt_server))

    auth = result.stage(Stage.AUTHENTICATE)
    assert auth.status is FAILED and auth.http_status == 401
    assert auth.tracker_message == "Unauthorized"
    assert "wrong-password" not in json.dumps(result.to_dict())


def test_real_rt_missing_queue_fails_target(rt_server: RTServer) -> None:
    result = _rt_check(rt_server, {"issue_tracker_api_token": rt_server.token}, rt_queue="Nope")

    target = result.stage(Stage.TARGET)
    assert target.status is FAILED and target.http_status == 404
    assert target.message == "RT has no queue Nope, or this token cannot see it."


def test_real_rt_user_without_create_ticket_right_fails_permission(rt_server: RTServer) -> None:
    user, password = "tracker-check-bob", "bob-pass-1234"
    created = requests.post(
        f"{rt_server.rest2_url}/user",
        auth=rt_server.auth,
        json={"Name": user, "Password": password, "EmailAddress": f"{user}@example.com"},
        timeout=15,
    )
    assert created.status_code == 201, created.text
    rt_server.grant_queue_rights(user, "General", "SeeQueue")

    result = _rt_check(rt_server, {"issue_tracker_pass": password}, **_basic(rt_server, user))

    assert statuses(result) == [OK, WARNING, OK, OK, FAILED], result.to_dict()
    assert result.stage(Stage.PERMISSION).message == (
        "You can see queue General but may not create tickets in it."
    )


def test_https_to_a_plain_http_port_fails_tls() -> None:
    tracker = TRACKERS[3]
    with tracker.start() as fake:
        result = tracker.check(fake.host_port, method="https")

    tls = result.stage(Stage.TLS)
    assert tls.status is FAILED
    assert tls.message.startswith(f"The TLS handshake with {fake.host_port} failed (")
    assert tls.hint == f"Check that the server speaks HTTPS on port {fake.port}."
