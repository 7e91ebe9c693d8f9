"""The plugin's tests run inside a Connector Desk checkout and use its fixtures and fakes."""

from tests.conftest import *  # noqa: F403  (app, client, admin_client, runner, auth, …)
