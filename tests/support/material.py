"""Test material per registered system, found through the ``connector_desk.testing`` group.

Why an entry point group: the per-system behaviour tests (stage checks, tracker quotes,
connector pages and API) are parametrised over the systems the REGISTRY knows, built-ins
and installed plugins alike, so each system must bring what those tests need. It does so
the way it registers itself: an entry point named by its system id in the group
``connector_desk.testing``, pointing at a ``SystemTestMaterial`` (or a zero-argument
callable returning one). Connector Desk's own point into ``tests.support.builtin_material``
(pyproject.toml); the Gitea plugin's into its ``connector_desk_gitea_testing`` module. A
registered system without material fails ``test_every_registered_system_has_test_material``
by name; see docs/plugins.md, "Testing with the fakes".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from typing import Any

from tests.fakes.server import FakeServer
from tests.support.stage_spec import Spec
from webapp.trackers.registry import build_registry
from webapp.trackers.system import System

ENTRY_POINT_GROUP = "connector_desk.testing"
Json = dict[str, Any]


@dataclass(frozen=True)
class SystemTestMaterial:
    """What the generic tests need to exercise one system.

    ``form_params``: a valid connector as an admin types it into the form (strings, with
    the secret); ``secret``: (field name, value) of that secret, which must never show;
    ``api_params``: the same connector as typed JSON for the API; ``spec``: the healthy
    tracker as ``responses`` answers for the stage tests; ``fake_server(**options)``: makes
    a fake tracker (a ``tests.fakes.FakeServer``, started by ``with``) that accepts
    ``secret`` and serves the target named in ``form_params``; ``options`` are
    ``FakeServer``'s own (``tls``, ``echo_credentials_in_errors``, ...).
    """

    system: System
    form_params: dict[str, str]
    secret: tuple[str, str]
    api_params: Json
    spec: Spec
    fake_server: Callable[..., FakeServer]

    @property
    def id(self) -> str:
        return self.system.id

    def params_for(self, fake: FakeServer) -> Json:
        """``api_params`` (without the secret) aimed at the running ``fake``: its address
        plus the path of the material's own server (e.g. Request Tracker's ``/rt``)."""
        server = self.form_params["issue_tracker_server"]
        path = server[server.index("/") :] if "/" in server else ""
        params = {**self.api_params, "issue_tracker_server": fake.host_port + path}
        params["issue_tracker_method"] = "https" if fake.tls else "http"
        params.pop(self.secret[0], None)
        return params

    @property
    def secrets(self) -> dict[str, str]:
        name, value = self.secret
        return {name: value}


@cache
def load_materials() -> dict[str, SystemTestMaterial]:
    """Every installed system's test material, by entry point name (its system id)."""
    found: dict[str, SystemTestMaterial] = {}
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        obj = entry_point.load()
        material = obj if isinstance(obj, SystemTestMaterial) else obj()
        if not isinstance(material, SystemTestMaterial):
            raise TypeError(f"{entry_point.value} is not a SystemTestMaterial")
        found[entry_point.name] = material
    return found


@cache
def registered_systems() -> tuple[System, ...]:
    """The systems the app registers (built-ins and installed plugins), sorted by name."""
    return tuple(build_registry())


def registered_ids() -> list[str]:
    """Ids of ``registered_systems()``, for parametrising."""
    return [system.id for system in registered_systems()]


def material_for(system_id: str) -> SystemTestMaterial:
    """``system_id``'s material; a clear failure names the missing entry point."""
    try:
        return load_materials()[system_id]
    except KeyError:
        raise LookupError(
            f"System {system_id!r} has no test material: register a SystemTestMaterial as "
            f"entry point {system_id!r} in the {ENTRY_POINT_GROUP!r} group."
        ) from None


def registered_materials() -> list[SystemTestMaterial]:
    """The material of every registered system that has some, in registry order.

    A system without material is left out here (so the generic tests still collect) and
    fails ``test_every_registered_system_has_test_material`` instead.
    """
    materials = load_materials()
    return [materials[s.id] for s in registered_systems() if s.id in materials]


def registered_specs() -> list[Spec]:
    """One stage-test ``Spec`` per registered system with material."""
    return [material.spec for material in registered_materials()]
