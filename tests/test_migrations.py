"""The migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from tests.support.database import is_postgres
from webapp import create_app
from webapp.extensions import db
from webapp.models import Connector
from webapp.models.search_index import NAME_SEARCH_INDEX, compared_with_models


@pytest.fixture
def migration_database_url(database_url, tmp_path):
    """An empty database of the suite's kind: a new file, or a new PostgreSQL schema."""
    if not is_postgres(database_url):
        yield f"sqlite:///{tmp_path}/migrated.db"
        return
    schema = f"migration_test_{uuid.uuid4().hex[:8]}"
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in database_url else "?"
    yield f"{database_url}{separator}options=-csearch_path%3D{schema}"
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def test_migrations_match_the_models(migration_database_url, app_config):
    app_config["SQLALCHEMY_DATABASE_URI"] = migration_database_url
    app = create_app(app_config)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            diff = compare_metadata(
                MigrationContext.configure(
                    connection,
                    opts={"compare_type": True, "include_object": compared_with_models},
                ),
                db.metadata,
            )
        db.engine.dispose()
    assert diff == []


def test_upgrade_normalises_connector_names_and_renames_clashes(migration_database_url, app_config):
    app_config["SQLALCHEMY_DATABASE_URI"] = migration_database_url
    app = create_app(app_config)
    names = [
        "Legit GitLab\u200b",  # an imposter, older than the real one
        "Legit GitLab",
        "legit\tgitlab",
        "Legit GitLab (2)",  # taken as it stands: no clash may be renamed to it
        "  Jira  Cloud ",
        "racecase",
        "RaceCase",
        "Ｆｕｌｌ width",
        "Untouched",
    ]
    with app.app_context():
        upgrade(revision="db758b96ac62")
        with db.engine.begin() as connection:
            for name in names:
                connection.execute(
                    text(
                        "INSERT INTO connectors (name, system_id, params, secret_names,"
                        " inaccessible, disabled, version, created_at, updated_at,"
                        " delivery_failures) VALUES (:name, 'gitlab', '{}', '[]', false, false,"
                        " 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0)"
                    ),
                    {"name": name},
                )
        upgrade()
        with db.engine.connect() as connection:
            renamed = dict(connection.execute(text("SELECT id, name FROM connectors")).all())
            audit = connection.execute(
                text(
                    "SELECT target_id, target_name, details FROM audit_entries"
                    " WHERE action = 'connector.rename'"
                )
            ).all()
            keys = [row[0] for row in connection.execute(text("SELECT name_key FROM connectors"))]
        db.engine.dispose()
    assert [renamed[number] for number in range(1, len(names) + 1)] == [
        "Legit GitLab (3)",
        "Legit GitLab",
        "legit gitlab (4)",
        "Legit GitLab (2)",
        "Jira Cloud",
        "racecase",
        "RaceCase (2)",
        "Full width",
        "Untouched",
    ]
    assert len(set(keys)) == len(names) and "legit gitlab" in keys
    old_names = {
        target_id: (json.loads(details) if isinstance(details, str) else details)["old_name"]
        for target_id, _, details in audit
    }
    assert old_names == {number: names[number - 1] for number in (1, 3, 5, 7, 8)}
    assert all(target_name == renamed[target_id] for target_id, target_name, _ in audit)


def test_the_database_refuses_two_names_with_one_key(app):
    from sqlalchemy.exc import IntegrityError

    from tests.factories import make_connector

    make_connector("gitlab", name="Legit GitLab")
    with pytest.raises(IntegrityError):
        db.session.execute(
            text(
                "INSERT INTO connectors (name, name_key, system_id, params, secret_names,"
                " inaccessible, disabled, version, created_at, updated_at, delivery_failures)"
                " VALUES ('LEGIT GITLAB', 'legit gitlab', 'gitlab', '{}', '[]', false, false,"
                " 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0)"
            )
        )
    db.session.rollback()


def test_upgrade_records_version_one_of_existing_connectors(migration_database_url, app_config):
    app_config["SQLALCHEMY_DATABASE_URI"] = migration_database_url
    app = create_app(app_config)
    with app.app_context():
        upgrade(revision="h5a000000001")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (id, email, password_hash, role, active, session_nonce,"
                    " created_at, ticket_defaults) VALUES (7, 'old@example.com', 'x', 'admin',"
                    " true, 'n', CURRENT_TIMESTAMP, '{}')"
                )
            )
            for number, name, disabled in ((1, "Old one", False), (2, "Disabled one", True)):
                connection.execute(
                    text(
                        "INSERT INTO connectors (id, name, name_key, system_id, params,"
                        " secret_names, inaccessible, disabled, version, created_at, updated_at,"
                        " updated_by_id, delivery_failures) VALUES (:id, :name, :key, 'gitlab',"
                        " :params, :secrets, false, :disabled, 4, CURRENT_TIMESTAMP,"
                        " CURRENT_TIMESTAMP, :by, 0)"
                    ),
                    {
                        "id": number,
                        "name": name,
                        "key": name.lower(),
                        "params": json.dumps({"gitlab_project": f"group/p{number}"}),
                        "secrets": json.dumps(["issue_tracker_api_token"]),
                        "by": 7 if number == 1 else None,
                        "disabled": disabled,
                    },
                )
            connection.execute(
                text(
                    "INSERT INTO connector_categories (connector_id, name, label, colour,"
                    " position) VALUES (1, 'Second', 'two', '#222222', 1),"
                    " (1, 'First', 'one', '#111111', 0)"
                )
            )
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT connector_id, number, name, params, categories, disabled,"
                    " secret_names, secrets_changed, actor_id, actor_email, via, note"
                    " FROM connector_versions ORDER BY connector_id"
                )
            ).all()
        db.engine.dispose()

    def loaded(value):
        return json.loads(value) if isinstance(value, str) else value

    first, second = rows
    assert (first.connector_id, first.number, first.name) == (1, 1, "Old one")
    assert loaded(first.params) == {"gitlab_project": "group/p1"}
    assert loaded(first.categories) == [
        {"name": "First", "label": "one", "colour": "#111111"},
        {"name": "Second", "label": "two", "colour": "#222222"},
    ]
    assert loaded(first.secret_names) == ["issue_tracker_api_token"]
    assert loaded(first.secrets_changed) == []
    assert (first.actor_id, first.actor_email, first.via) == (7, "old@example.com", "migration")
    assert first.note == "Recorded when history began."
    assert (second.number, bool(second.disabled), second.actor_email) == (1, True, None)
    assert loaded(second.categories) == []


def test_on_postgresql_the_connector_search_is_served_by_a_trigram_index(
    migration_database_url, app_config
):
    """A search matches any part of a name, which a B-tree index cannot serve; on
    PostgreSQL the migration adds a trigram index that can (pg_trgm ships with it)."""
    if not is_postgres(migration_database_url):
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL): SQLite has no trigram index")
    from webapp.services.connectors import connector_rows_query

    app_config["SQLALCHEMY_DATABASE_URI"] = migration_database_url
    app = create_app(app_config)
    with app.app_context():
        upgrade()
        search = connector_rows_query("disk 2").with_only_columns(Connector.id)
        sql = str(search.compile(db.engine, compile_kwargs={"literal_binds": True}))
        with db.engine.begin() as connection:
            connection.execute(text("SET LOCAL enable_seqscan = off"))
            plan = "\n".join(connection.execute(text(f"EXPLAIN {sql}")).scalars())
        db.engine.dispose()
    assert NAME_SEARCH_INDEX in plan, plan
