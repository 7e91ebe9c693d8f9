"""Every request a test sends to a ``responses`` mock is checked against its tracker's contract.

Why automatic: a unit test that mocks a request the real tracker would refuse proves
nothing, and a per-test opt-in would be forgotten.  Requests are recorded as ``responses``
receives them (whichever way it was activated: decorator, ``with`` block or fixture) and
checked once the test body has run, so an off-contract request fails the test with the
operation id and the problems (``tests/contracts/mocked.py``).  A test that sends one on
purpose says so: ``@pytest.mark.off_contract("why")``.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

import pytest
import responses
from requests import PreparedRequest

from tests.contracts.mocked import off_contract

SENT = pytest.StashKey[list[PreparedRequest]]()


@pytest.fixture(autouse=True)
def _record_mocked_requests(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Record each request any ``responses`` mock receives during the test.

    Recorded as received, not read from ``calls`` afterwards: a mock empties its ``calls``
    when it stops, and ``_on_request`` is where every mock, however activated, receives.
    """
    sent: list[PreparedRequest] = []
    request.node.stash[SENT] = sent
    receive = responses.RequestsMock._on_request

    def recording(mock: responses.RequestsMock, adapter: Any, prepared: Any, **kw: Any) -> Any:
        sent.append(prepared)
        return receive(mock, adapter, prepared, **kw)

    monkeypatch.setattr(responses.RequestsMock, "_on_request", recording)
    yield


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    result = yield
    marker = item.get_closest_marker("off_contract")
    if marker is not None:
        if not marker.args or not str(marker.args[0]).strip():
            pytest.fail("off_contract needs a reason: off_contract('why')", pytrace=False)
        return result
    problems = off_contract(item.stash.get(SENT, []))
    if problems:
        pytest.fail(
            "mocked tracker requests off the contract:\n" + "\n".join(problems), pytrace=False
        )
    return result
