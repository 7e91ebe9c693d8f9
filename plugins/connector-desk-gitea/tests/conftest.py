"""The plugin's tests run inside a Connector Desk checkout: its root conftest.py gives them
the app, client and browser fixtures, and tests.fakes the fake-server machinery."""
