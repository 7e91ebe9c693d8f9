"""Fixtures for every test folder, the plugins' included: the app on a fresh database
(tests/support/app_fixtures.py) and the browser (tests/support/browser_fixtures.py)."""

pytest_plugins = ["tests.support.app_fixtures", "tests.support.browser_fixtures"]
