"""The trigram index behind the connector search, on PostgreSQL.

The search matches any part of a name (``name_key LIKE '%…%'``), which no B-tree index
can serve: without this index every search reads every connector. ``pg_trgm`` ships
with PostgreSQL (Debian's postgresql package; elsewhere its "contrib" part). Where it
is missing, or the database user may not install it, the index is left out, search
still works, and the migration says so.

The index is made by the migration, and by ``create_all`` for test databases, but it
is not declared on the model: it exists on PostgreSQL only, and only where pg_trgm
does, so migrations are compared with the models without it (``include_object``).
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, event, text

logger = logging.getLogger(__name__)

NAME_SEARCH_INDEX = "ix_connectors_name_key_trigrams"


def create_name_search_index(connection: Connection) -> bool:
    """Make the index (and the pg_trgm extension, if allowed); False where it cannot be."""
    if connection.dialect.name != "postgresql":
        return False
    schema = _trigram_schema(connection)
    if schema is None:
        try:
            with connection.begin_nested():
                connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        except Exception as error:  # not available, or not allowed: search scans instead
            logger.warning(
                "No trigram index for the connector search: %s", getattr(error, "orig", error)
            )
            return False
        schema = _trigram_schema(connection)
    # The operator class is named with its schema: the extension may live in another
    # schema than the tables' (it is installed once per database).
    connection.execute(
        text(
            f"CREATE INDEX IF NOT EXISTS {NAME_SEARCH_INDEX} ON connectors "
            f'USING gin (name_key "{schema}".gin_trgm_ops)'
        )
    )
    return True


def drop_name_search_index(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"DROP INDEX IF EXISTS {NAME_SEARCH_INDEX}"))


def compared_with_models(obj, name, type_, reflected, compare_to) -> bool:
    """``include_object`` for comparing the database with the models: all but this index."""
    return not (type_ == "index" and name == NAME_SEARCH_INDEX)


def _trigram_schema(connection: Connection) -> str | None:
    return connection.execute(
        text(
            "SELECT n.nspname FROM pg_extension e "
            "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
        )
    ).scalar()


def install(table) -> None:
    """Make the index whenever ``create_all`` creates the connectors table."""

    def create_index(target, connection, **kw) -> None:
        create_name_search_index(connection)

    event.listen(table, "after_create", create_index)
