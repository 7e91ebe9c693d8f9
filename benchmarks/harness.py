"""A throw-away app on a temporary SQLite database, for benchmarks."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator

from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import event

from webapp import create_app
from webapp.extensions import db


@contextlib.contextmanager
def bench_app(**config) -> Iterator[Flask]:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                "SECRET_KEY": "bench",
                "CONNECTOR_SECRETS_KEY": Fernet.generate_key().decode(),
                "INSTANCE_PATH": tmp,
                "WTF_CSRF_ENABLED": False,
                **config,
            }
        )
        with app.app_context():
            db.create_all()
            yield app
            db.session.remove()
            db.engine.dispose()


@contextlib.contextmanager
def count_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
