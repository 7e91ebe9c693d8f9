"""The plugin's tests run inside a Connector Desk checkout and use its fixtures and fakes."""

from tests.conftest import *  # noqa: F403  (app, client, admin_client, runner, auth, …)
from tests.e2e.conftest import browser, live_server, page, screenshot  # noqa: F401  (browser)
