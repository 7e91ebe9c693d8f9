"""The fake GitLab most web and API tests deliver to: project group/project (id 7)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

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


class SlowGitLab(FakeGitLab):
    """A GitLab that takes ``create_seconds`` per issue; the issue exists only afterwards."""

    def __init__(self, *args: Any, create_seconds: float = 0.0, **options: Any) -> None:
        super().__init__(*args, **options)
        self.create_seconds = create_seconds

    def serve(self, method: str, raw_path: str, headers: dict[str, str], raw: bytes):
        if method == "POST" and urlsplit(raw_path).path.endswith("/issues"):
            self.stopping.wait(self.create_seconds)
        return super().serve(method, raw_path, headers, raw)


@contextmanager
def fake_gitlab(create_seconds: float = 0.0, **options) -> Iterator[FakeGitLab]:
    """A running fake GitLab that accepts the standard test token (and is as slow as asked)."""
    with SlowGitLab(
        token=GITLAB_TOKEN, projects=GITLAB_PROJECTS, create_seconds=create_seconds, **options
    ) as fake:
        yield fake
