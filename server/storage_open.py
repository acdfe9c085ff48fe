"""The storage a database setting names: a PostgreSQL URL, or else an SQLite file."""

from __future__ import annotations

from zopa.server.storage import Storage
from zopa.server.storage_postgres import PostgresStorage, is_postgres
from zopa.server.storage_sqlite import SqliteStorage


def storage_for(database: str, interval: float) -> Storage:
    if is_postgres(database):
        return PostgresStorage(database, interval)
    return SqliteStorage(database, interval)
