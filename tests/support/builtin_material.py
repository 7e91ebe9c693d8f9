"""The built-in systems' test material, registered like a plugin's (``connector_desk.testing``
entry points in pyproject.toml, named by system id): valid settings from
``connector_data``, the stage-test specs from ``tests/unit/trackers/specs.py`` and the
fake trackers of ``tests/fakes``."""

from __future__ import annotations

from tests.fakes import FakeGitHub, FakeGitLab, FakeJira, FakeRT
from tests.support.connector_data import FORM_PARAMS, SECRET_OF, api_params
from tests.support.fake_trackers import GITLAB_PROJECTS
from tests.support.material import SystemTestMaterial
from tests.unit.trackers.specs import GITHUB_SPEC, GITLAB_SPEC, JIRA_SPEC, RT_SPEC


def _material(spec, fake_server) -> SystemTestMaterial:
    system_id = spec.system.id
    return SystemTestMaterial(
        system=spec.system,
        form_params=FORM_PARAMS[system_id],
        secret=SECRET_OF[system_id],
        api_params=api_params(system_id),
        spec=spec,
        fake_server=fake_server,
    )


def _secret(spec) -> str:
    return SECRET_OF[spec.system.id][1]


GITHUB = _material(
    GITHUB_SPEC,
    # Not github.com, so the client uses GitHub Enterprise's /api/v3.
    lambda **kw: FakeGitHub(
        _secret(GITHUB_SPEC), prefix="/api/v3", repos={"octo-org/hello-world": {}}, **kw
    ),
)
GITLAB = _material(
    GITLAB_SPEC, lambda **kw: FakeGitLab(_secret(GITLAB_SPEC), projects=dict(GITLAB_PROJECTS), **kw)
)
JIRA = _material(
    JIRA_SPEC,
    lambda **kw: FakeJira(
        {FORM_PARAMS[JIRA_SPEC.id]["issue_tracker_user"]: _secret(JIRA_SPEC)}, **kw
    ),
)
RT = _material(
    RT_SPEC,
    lambda **kw: FakeRT(
        {FORM_PARAMS[RT_SPEC.id]["issue_tracker_user"]: _secret(RT_SPEC)}, prefix="/rt", **kw
    ),
)
