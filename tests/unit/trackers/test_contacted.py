"""``contacted`` says whether anything was sent to the tracker's address.

A test refused by the deny-list, or stopped by a name that does not resolve or an
invalid server, sent nothing: it must not claim it contacted the tracker.
"""

from __future__ import annotations

import pytest

from tests.unit.trackers.specs import GITHUB_SPEC, SPECS, Spec
from webapp.outbound.http import OutboundSettings
from webapp.outbound.results import Stage, StageStatus
from webapp.trackers import check_connection

each_spec = pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.id)


@each_spec
def test_a_denied_address_is_not_contacted(spec: Spec, api, net) -> None:
    net.addresses[spec.host] = ["169.254.169.254"]

    result = spec.check(OutboundSettings())

    assert result.stage(Stage.REACH).status is StageStatus.FAILED
    assert "denied network" in result.summary
    assert result.contacted is False and result.to_dict()["contacted"] is False
    assert net.connected == [] and len(api.calls) == 0


@each_spec
def test_a_name_that_does_not_resolve_is_not_contacted(spec: Spec, api, net, settings) -> None:
    net.resolve_error = OSError("Name or service not known")

    assert spec.check(settings).contacted is False


def test_an_invalid_server_is_not_contacted(api, net, settings) -> None:
    spec = GITHUB_SPEC
    params = {**spec.params, "issue_tracker_server": "tracker.example.com/a?b"}

    result = check_connection(spec.system, params, spec.secrets, settings)

    assert result.contacted is False and net.resolved == []


def test_a_refused_connection_was_an_attempt_to_contact(api, net, settings) -> None:
    net.connect_error = ConnectionRefusedError(111, "Connection refused")

    assert GITHUB_SPEC.check(settings).contacted is True


@each_spec
def test_a_tracker_that_answers_was_contacted(spec: Spec, api, net, settings) -> None:
    spec.serve(api)

    assert spec.check(settings).contacted is True
