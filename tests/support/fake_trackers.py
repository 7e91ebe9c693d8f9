"""The fake GitLab most web and API tests deliver to: project group/project (id 7)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tests.fakes import FakeGitLab
from tests.support.connector_data import GITLAB_TOKEN

GITLAB_PROJECT_ID = 7
GITLAB_PROJECTS = {
    "group/project": {
        "id": GITLAB_PROJECT_ID,
        "issues_enabled": True,
        "permissions": {"project_access": {"access_level": 30}},
    }
}


@contextmanager
def fake_gitlab(**options) -> Iterator[FakeGitLab]:
    """A running fake GitLab that accepts the standard test token."""
    with FakeGitLab(token=GITLAB_TOKEN, projects=GITLAB_PROJECTS, **options) as fake:
        yield fake
