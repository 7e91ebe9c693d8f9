"""Fixtures for the Discord integration: a connector on the fake GitLab, a fake Discord."""

from __future__ import annotations

import pytest

from tests.factories import SERVICE_DESK_CATEGORIES, make_connector
from tests.fakes.discord import FakeDiscord
from webapp.services.discord.followups import wait_for_followups


@pytest.fixture
def connector(app, gitlab):
    """The service desk connector, with two categories, on the fake GitLab."""
    return make_connector(
        "gitlab",
        name="Service desk",
        issue_tracker_server=gitlab.host_port,
        issue_tracker_method="http",
        categories=SERVICE_DESK_CATEGORIES,
    )


@pytest.fixture
def discord_api(app):
    """A fake Discord API; the app calls it instead of discord.com."""
    with FakeDiscord() as fake:
        app.config["DISCORD_API_URL"] = fake.base_url
        yield fake
        wait_for_followups(app)


@pytest.fixture(autouse=True)
def _followups_finish(app):
    """Background work ends before the test's tables are emptied."""
    yield
    wait_for_followups(app)
