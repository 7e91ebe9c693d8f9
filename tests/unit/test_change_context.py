import threading

import pytest

from webapp.services.change_context import changes_via, current_via


def test_outside_a_request_changes_come_from_the_cli(app):
    # pytest-flask pushes a request context for every test: a fresh thread has none.
    seen = []
    thread = threading.Thread(target=lambda: seen.append(current_via()))
    thread.start()
    thread.join()
    assert seen == ["cli"]


def test_a_request_to_the_api_counts_as_api_and_others_as_page(app):
    with app.test_request_context("/api/v2/systems/"):
        from flask import request

        request.url_rule = app.url_map.bind("localhost").match(
            "/api/v2/systems/", return_rule=True
        )[0]
        assert current_via() == "api"
    with app.test_request_context("/connectors/"):
        assert current_via() == "page"


def test_an_explicit_source_wins_and_nests(app):
    with app.test_request_context("/connectors/"):
        with changes_via("import"):
            assert current_via() == "import"
            with changes_via("restore"):
                assert current_via() == "restore"
            assert current_via() == "import"
        assert current_via() == "page"


def test_an_unknown_source_is_refused():
    with pytest.raises(ValueError), changes_via("carrier pigeon"):
        pass
