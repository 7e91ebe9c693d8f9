"""Category rows of a connector, checked by the connector service (shared by form and API).

Blank rows are dropped; a name is required, unique ignoring case and invisible characters,
at most 100 characters; a blank label follows the name; a colour is #rrggbb (grey when
blank). Any error keeps everything as it was and names the row and column.
"""

from __future__ import annotations

import pytest

from tests.support.material import material_for
from webapp.models.base import utcnow
from webapp.services.connectors import (
    DEFAULT_COLOUR,
    ConnectorChanges,
    create_connector,
    update_connector,
)
from webapp.services.errors import ValidationFailed


def changes(*rows: dict[str, str], name: str = "Categorised") -> ConnectorChanges:
    return ConnectorChanges(
        name=name, params=material_for("gitlab").api_params, categories=list(rows)
    )


def rows_of(connector) -> list[tuple[str, str, str]]:
    return [(c.name, c.label, c.colour) for c in connector.categories]


def errors_for(admin, *rows: dict[str, str]) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as caught:
        create_connector(admin, "gitlab", changes(*rows))
    return caught.value.errors


def test_rows_are_cleaned_blank_ones_dropped_and_order_kept(app, admin) -> None:
    connector = create_connector(
        admin,
        "gitlab",
        changes(
            {"name": "  Data \u200bLoss ", "label": "", "colour": ""},
            {"name": "", "label": "", "colour": "#123456"},  # blank: an empty form row
            {"name": "Access", "label": " security ", "colour": "#ABCDEF"},
        ),
    )

    assert rows_of(connector) == [
        ("Data Loss", "data-loss", DEFAULT_COLOUR),
        ("Access", "security", "#abcdef"),
    ]


def test_a_row_with_a_label_but_no_name_asks_for_the_name(app, admin) -> None:
    errors = errors_for(admin, {"name": "Ok"}, {"name": " ", "label": "orphan"})

    assert errors == {"categories.1.name": ["Give the category a name."]}


def test_names_differing_only_in_case_or_invisible_characters_are_listed_twice(app, admin):
    errors = errors_for(
        admin, {"name": "Hardware"}, {"name": "HARD\u200bWARE"}, {"name": "Software"}
    )

    assert errors == {"categories.1.name": ["This category is listed twice."]}


def test_overlong_names_and_bad_colours_are_named_by_row_and_column(app, admin) -> None:
    errors = errors_for(
        admin,
        {"name": "x" * 101},
        {"name": "Red", "colour": "red"},
        {"name": "Short", "colour": "#12345"},
    )

    assert errors == {
        "categories.0.name": ["Use at most 100 characters."],
        "categories.1.colour": ["Use a colour like #f45562."],
        "categories.2.colour": ["Use a colour like #f45562."],
    }


def test_an_invalid_row_changes_nothing(app, admin) -> None:
    connector = create_connector(admin, "gitlab", changes({"name": "Kept", "label": "kept"}))
    before = rows_of(connector)

    with pytest.raises(ValidationFailed):
        update_connector(admin, connector, changes({"name": "New"}, {"name": "new"}))

    assert rows_of(connector) == before and connector.name == "Categorised"


def test_a_changed_label_must_be_synced_again_and_an_unchanged_one_not(app, admin) -> None:
    connector = create_connector(
        admin, "gitlab", changes({"name": "Same", "label": "same"}, {"name": "Moved"})
    )
    for category in connector.categories:
        category.label_synced_at = utcnow()  # as after delivering a ticket with its label

    update_connector(
        admin,
        connector,
        changes({"name": "Same", "label": "same"}, {"name": "Moved", "label": "x"}),
    )

    synced = {c.name: c.label_synced_at is not None for c in connector.categories}
    assert synced == {"Same": True, "Moved": False}


def test_an_overlong_label_is_reported_on_the_label(app, admin) -> None:
    errors = errors_for(admin, {"name": "Hardware", "label": "l" * 101})
    assert errors == {"categories.0.label": ["Use at most 100 characters."]}
