"""``zopa serve`` refuses a PostgreSQL database it cannot run on: one sentence, exit 2.

PostgreSQL's counterparts of test_serve_database.py's files: a database that does not
exist (the missing folder), and one this user may not create tables in (the read-only
file). The sentence names the database without its password, says what to check, and
nothing is left written.
"""

from __future__ import annotations

import subprocess
import sys

import psycopg

from tests.live import ROOT, free_port
from tests.postgres import Cluster


def serve(url: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "zopa.server.cli", "serve", "--port", str(free_port())]
    return subprocess.run(
        [*command, "--db", url], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_a_database_that_does_not_exist_is_refused_in_one_sentence(
    postgres_cluster: Cluster,
) -> None:
    url = postgres_cluster.url("no_such_db").replace("zopa@", "zopa:s3cret@")
    done = serve(url)
    assert done.returncode == 2, done.stderr
    shown = postgres_cluster.url("no_such_db").replace("zopa@", "zopa:***@")
    assert done.stderr.startswith(f"zopa: the PostgreSQL database {shown} cannot be used (")
    assert 'database "no_such_db" does not exist' in done.stderr
    assert "check that the server runs, the database exists" in done.stderr
    assert "s3cret" not in done.stderr and done.stderr.count("\n") == 1


def test_a_database_this_user_may_not_create_tables_in_is_refused(postgres_url: str) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute("DROP ROLE IF EXISTS onlooker")
        admin.execute("CREATE ROLE onlooker LOGIN")
    try:
        done = serve(postgres_url.replace("zopa@", "onlooker@"))
        assert done.returncode == 2, done.stderr
        # PostgreSQL's own words: no schema it may create in, the schema's owner being another.
        assert "cannot be used (no schema has been selected to create in" in done.stderr
        assert "this user may create tables in it" in done.stderr
        assert done.stderr.count("\n") == 1
        with psycopg.connect(postgres_url) as check:
            tables = check.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            ).fetchone()
        assert tables == (0,)
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute("DROP ROLE onlooker")
