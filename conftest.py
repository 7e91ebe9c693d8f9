"""Fixtures for every test folder, the plugins' included: the app on a fresh database
(tests/support/app_fixtures.py), the browser (tests/support/browser_fixtures.py) and the
contract check of every request sent to a ``responses`` mock
(tests/support/contract_fixtures.py)."""

pytest_plugins = [
    "tests.support.app_fixtures",
    "tests.support.browser_fixtures",
    "tests.support.contract_fixtures",
]
