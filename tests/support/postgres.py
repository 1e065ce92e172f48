"""A throwaway PostgreSQL server for tests: initdb in a temporary folder, 127.0.0.1, a free port.

``initdb`` refuses to run as root, so as root the cluster is made and run as the ``postgres``
user that Debian's ``postgresql`` package creates. ``python -m tests.support.postgres start
DIR`` prints the URL (scripts/test.sh uses it); ``stop DIR`` stops it. Tests get one database
each from ``fresh_database``.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg

USER = "care"
URL_VARIABLE = "CARE_TEST_POSTGRES_URL"


def binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or None when none is installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_owner(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


def start(folder: Path) -> str:
    """Create and start a cluster in ``folder``; return its admin URL."""
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    subprocess.run(_as_owner([str(bin_dir / "initdb"), "-D", str(data), "-U", USER,
                              "-A", "trust", "--no-sync", "-E", "UTF8"]),
                   check=True, capture_output=True)
    port = _free_port()
    options = (f"-h 127.0.0.1 -p {port} -k {folder} -c fsync=off -c full_page_writes=off "
               "-c max_connections=400 -c shared_buffers=64MB")
    subprocess.run(_as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options,
                              "-l", str(folder / "server.log"), "-w", "start"]),
                   check=True, capture_output=True)
    (folder / "port").write_text(str(port))
    return f"postgresql://{USER}@127.0.0.1:{port}/postgres"


def stop(folder: Path) -> None:
    """Stop the cluster in ``folder`` (immediately: it is thrown away)."""
    bin_dir = binaries()
    if bin_dir is None or not (folder / "data").exists():
        return
    subprocess.run(_as_owner([str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-m",
                              "immediate", "stop"]), capture_output=True)


def fresh_database(admin_url: str) -> str:
    """Create an empty database on the server; return its URL."""
    name = f"care_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


class Row(tuple):
    """A row readable by position or by column name, as sqlite3.Row is."""

    names: tuple[str, ...] = ()

    def __getitem__(self, key):
        if isinstance(key, str):
            return tuple.__getitem__(self, self.names.index(key))
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        """The column names."""
        return list(self.names)


def _row_factory(cursor):
    names = tuple(column.name for column in cursor.description or ())

    def make(values):
        row = Row(values)
        row.names = names
        return row

    return make


class ReadOnlyConnection:
    """What a test's ``bot.db()`` gives on PostgreSQL: ``execute`` with ``?`` placeholders."""

    def __init__(self, url: str):
        self._connection = psycopg.connect(url, autocommit=True, row_factory=_row_factory)

    def execute(self, sql: str, params=()):
        """Run one query in its own read-only snapshot; return the cursor."""
        from care_bot.storage.dialect import to_pyformat

        return self._connection.execute(to_pyformat(sql), tuple(params))

    def close(self) -> None:
        """Close the connection."""
        self._connection.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def main(argv: list[str]) -> int:
    """``start DIR`` prints the admin URL; ``stop DIR`` stops the server."""
    command, folder = argv[0], Path(argv[1])
    if command == "start":
        print(start(folder))
    else:
        stop(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
