"""A real PostgreSQL for the tests: a cluster made by initdb in a temporary folder.

It listens on a unix socket in that folder only (no port). initdb and the server refuse
to run as root, so under root they run as the ``postgres`` user that Debian's package
creates (``.ci/run`` installs it). One cluster serves the whole run; each test gets the
tests' database emptied, and the folder is removed at the end.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest

USER = "zopa"
DATABASE = "zopa_tests"


@dataclass
class Cluster:
    folder: str
    run_as: list[str]
    bin: str

    def url(self, database: str) -> str:
        return f"postgresql://{USER}@/{database}?host={self.folder}"

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.url("postgres"), autocommit=True)

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.run_as, f"{self.bin}/pg_ctl", "-D", f"{self.folder}/data", "-s", *args],
            check=True,
            capture_output=True,
            timeout=120,
        )


def binaries() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


def start_cluster() -> Cluster:
    bin_dir = binaries()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (.ci/run installs Debian's postgresql)")
    folder = tempfile.mkdtemp(prefix="zopa-pg-")
    run_as: list[str] = []
    if os.geteuid() == 0:
        run_as = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres")
    cluster = Cluster(folder, run_as, bin_dir)
    subprocess.run(
        [
            *run_as,
            f"{bin_dir}/initdb",
            "-D",
            f"{folder}/data",
            "-U",
            USER,
            "--auth=trust",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    # fsync off: the tests check what zopa does, not the disk; the benchmark keeps it on.
    options = (
        f"-c listen_addresses='' -c unix_socket_directories={folder} -c max_connections=60 "
        "-c fsync=off"
    )
    cluster.pg_ctl("-o", options, "-w", "-l", f"{folder}/log", "start")
    return cluster


def stop_cluster(cluster: Cluster) -> None:
    try:
        cluster.pg_ctl("-m", "immediate", "stop")
    finally:
        shutil.rmtree(cluster.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    cluster = start_cluster()
    with cluster.admin() as admin:
        admin.execute(f"CREATE DATABASE {DATABASE}")
    yield cluster
    stop_cluster(cluster)


@pytest.fixture
def postgres_url(postgres_cluster: Cluster) -> str:
    """The URL of an empty database: the tests' own, emptied (far faster than a new one).

    Whatever a test left connected is cut off first, and with it any lock it held.
    """
    url = postgres_cluster.url(DATABASE)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        admin.execute("DROP SCHEMA public CASCADE")
        admin.execute("CREATE SCHEMA public")
    return url
