"""The migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from tests.support.database import is_postgres
from webapp import create_app
from webapp.extensions import db


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
                MigrationContext.configure(connection, opts={"compare_type": True}), db.metadata
            )
        db.engine.dispose()
    assert diff == []
