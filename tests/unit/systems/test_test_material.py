"""Every registered system brings test material, so the generic tests run for it.

Why by registry: the per-system tests are parametrised over ``build_registry()`` (built-ins
and installed plugins); a system registered without material would silently be left out
of them, so it fails here, by name, instead.
"""

from __future__ import annotations

import pytest

from tests.support.material import material_for, registered_ids, registered_systems
from webapp.outbound.http import OutboundSettings
from webapp.outbound.results import Stage
from webapp.schema.validation import validate_params
from webapp.trackers import check_connection

SETTINGS = OutboundSettings(connect_timeout=2.0, read_timeout=2.0)
each_registered_id = pytest.mark.parametrize("system_id", registered_ids())


def test_the_registry_includes_the_installed_plugin() -> None:
    # `make test` installs plugins/connector-desk-gitea: without it these tests cover less.
    assert {"gitea", "forgejo"} <= set(registered_ids())


@each_registered_id
def test_every_registered_system_has_test_material(system_id: str) -> None:
    material = material_for(system_id)
    system = next(system for system in registered_systems() if system.id == system_id)

    assert material.system is system and material.spec.system is system
    name, value = material.secret
    assert material.form_params[name] == value == material.api_params[name]
    assert material.spec.secret_values and all(material.spec.secret_values)


@each_registered_id
def test_the_material_api_params_are_valid(system_id: str) -> None:
    material = material_for(system_id)

    assert validate_params(material.system, material.api_params).errors == {}


@each_registered_id
def test_the_fake_tracker_passes_every_stage(system_id: str) -> None:
    material = material_for(system_id)

    with material.fake_server() as fake:
        result = check_connection(
            material.system, material.params_for(fake), material.secrets, SETTINGS
        )

    assert result.ok, result


@each_registered_id
def test_the_fake_tracker_rejects_a_wrong_secret_at_authenticate(system_id: str) -> None:
    material = material_for(system_id)
    name, value = material.secret

    with material.fake_server() as fake:
        params = material.params_for(fake)
        result = check_connection(material.system, params, {name: value + "-wrong"}, SETTINGS)

    assert result.failed_stage is not None
    assert result.failed_stage.stage is Stage.AUTHENTICATE
    assert result.failed_stage.http_status == 401


def test_a_system_without_material_is_named_with_the_entry_point_to_add() -> None:
    with pytest.raises(LookupError) as caught:
        material_for("youtrack")

    assert str(caught.value) == (
        "System 'youtrack' has no test material: register a SystemTestMaterial as entry "
        "point 'youtrack' in the 'connector_desk.testing' group."
    )
