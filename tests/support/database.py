"""Which database the suite runs on: SQLite by default, PostgreSQL via TEST_DATABASE_URL."""

from __future__ import annotations

import os

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from webapp.extensions import db


def choose_database_url(tmp_dir: str) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalize_url(url)
    return f"sqlite:///{tmp_dir}/test.db"


def normalize_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs (SQLAlchemy would pick psycopg2)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


def create_schema(url: str) -> None:
    """Fresh tables once per test session (tests then empty them after each test)."""
    from webapp import models  # noqa: F401

    engine: Engine = create_engine(url)
    with engine.begin() as connection:
        db.metadata.drop_all(connection)
        db.metadata.create_all(connection)
    engine.dispose()


def empty_tables() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()
