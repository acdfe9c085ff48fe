"""What ``zopa serve --db postgresql://...`` makes sure of before it listens: the database
answers and takes zopa's schema, or one sentence says why not; and the facilitator key
every worker shares, kept in the database when the operator set none.
"""

from __future__ import annotations

import asyncio
import secrets

import psycopg

from zopa.server.errors import BadDatabase
from zopa.server.postgres_schema import migrate


def check(url: str) -> None:
    """Connect, upgrade the schema; ``BadDatabase`` naming the problem otherwise."""
    asyncio.run(_check(url))


def kept_key(url: str) -> str:
    """The key every worker on this database uses: the first one to ask makes it."""
    made = secrets.token_urlsafe(18)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "INSERT INTO kept VALUES ('facilitator_key', %s) ON CONFLICT (name) DO NOTHING",
            (made,),
        )
        row = connection.execute("SELECT value FROM kept WHERE name = 'facilitator_key'").fetchone()
    assert row is not None
    return str(row[0])


async def _check(url: str) -> None:
    try:
        async with await psycopg.AsyncConnection.connect(
            url, autocommit=True, connect_timeout=10
        ) as connection:
            await migrate(connection)
    except psycopg.Error as exc:
        shown = " ".join(str(exc).split())
        raise BadDatabase(
            f"the PostgreSQL database {safe_url(url)} cannot be used ({shown}): check that the "
            "server runs, the database exists and this user may create tables in it "
            "(docs/deploy.md, 'A cluster on PostgreSQL')"
        ) from None


def safe_url(url: str) -> str:
    """The URL without its password, for logs."""
    head, at, tail = url.rpartition("@")
    if not at or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, user = head.partition("//")
    return f"{scheme}//{user.split(':', 1)[0]}:***@{tail}"
