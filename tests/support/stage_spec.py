"""A tracker's healthy ``responses`` answers, for the generic stage and ticket tests.

Why a shared shape: every stage failure must be tested for every registered system, so
the tests are written once and parametrised over one ``Spec`` per system; each spec says
where its tracker's API lives, what a healthy answer looks like, how its errors are shaped
and how it says "you may not create issues". Built-ins and plugins provide theirs through
their test material (``tests/support/material.py``). Secrets should be distinctive (with
characters that URL-encode) so leaks are easy to spot.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import responses

from webapp.outbound.http import OutboundSettings
from webapp.outbound.results import CheckResult
from webapp.trackers import check_connection
from webapp.trackers.system import System

Json = dict[str, Any]


def basic_auth(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@dataclass(frozen=True)
class Spec:
    system: System
    host: str
    params: Json
    secrets: dict[str, str]
    base: str
    credentials: dict[str, str]  # the header(s) that must carry the secret
    auth_path: str
    user_body: Json
    target_path: str
    target_body: Json
    error_body: Callable[[str], Any]
    tracker_401: str  # the tracker's own words in its 401 body
    target_noun: str  # what the check calls the target: "repository", "project", ...
    create_path: str  # where a new issue is POSTed (under ``base``)
    extra: dict[str, Json] = field(default_factory=dict)  # further healthy GETs by path
    no_permission: dict[str, Json] = field(default_factory=dict)  # bodies that deny creation
    user_headers: dict[str, str] = field(default_factory=dict)
    #: Healthy GET answers issue creation reads before it POSTs (e.g. labels by id), by path.
    create_reads: dict[str, Any] = field(default_factory=dict)
    #: Params that name no target, where blanking ``target_param`` alone is not enough.
    unset_target_params: Json | None = None

    @property
    def id(self) -> str:
        return self.system.id

    @property
    def target_param(self) -> str:
        assert self.system.target_field is not None
        return self.system.target_field

    @property
    def unset_target(self) -> Json:
        """Params that name no target, so tickets would ask for one."""
        if self.unset_target_params is not None:
            return self.unset_target_params
        return {self.target_param: ""}

    @property
    def secret_values(self) -> list[str]:
        return list(self.secrets.values())

    def url(self, path: str) -> str:
        return self.base + path

    def serve(self, api: responses.RequestsMock, **by_path: Json) -> None:
        """Register healthy answers; ``by_path`` replaces a path's ``responses`` kwargs."""
        healthy: dict[str, Json] = {
            self.auth_path: {"json": self.user_body, "headers": self.user_headers},
            self.target_path: {"json": self.target_body},
            **{path: {"json": body} for path, body in self.extra.items()},
        }
        for path, kwargs in {**healthy, **by_path}.items():
            api.add(responses.GET, self.url(path), **kwargs)

    def serve_create(self, api: responses.RequestsMock, **answer: Any) -> None:
        """Answer the issue-creating POST with ``answer`` (after healthy ``create_reads``)."""
        for path, body in self.create_reads.items():
            api.add(responses.GET, self.url(path), json=body)
        api.add(responses.POST, self.url(self.create_path), **answer)

    def check(self, settings: OutboundSettings, **params: Any) -> CheckResult:
        return check_connection(self.system, {**self.params, **params}, self.secrets, settings)
