"""Reads while the database files are immutable: no SIGBUS, and they still see every commit.

SQLite shares one ``-shm`` mapping among a process's connections, and a reader writes its
read mark through it. After another writer's commit, a written-back page and ``chattr +i``,
that write faults (SIGBUS): the sweep's next read died that way. The check runs in a child
process, so a bus error fails this test instead of killing pytest.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

CHILD = textwrap.dedent("""
    import contextlib, os, sqlite3, subprocess, sys, threading
    from care_bot.storage.database import Store
    path = sys.argv[1]
    store = Store.open(path)
    with store.transaction() as db:
        db.execute("INSERT INTO counters (name, value) VALUES ('a', 1)")
    def count():
        with store.reading() as db:
            return db.execute("SELECT count(*) FROM counters").fetchone()[0]
    reader = threading.Thread(target=count)
    reader.start(); reader.join()
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("INSERT INTO counters (name, value) VALUES ('b', 1)")
    os.sync()
    files = [path, path + "-wal", path + "-shm"]
    if subprocess.run(["chattr", "+i", *files], capture_output=True).returncode:
        sys.exit(77)
    try:
        seen = []
        reader = threading.Thread(target=lambda: seen.append(count()))
        reader.start(); reader.join()
        seen.append(count())
        print("seen", seen)
        writable = store.probe_write(0.0)
    finally:
        subprocess.run(["chattr", "-i", *files])
    print("refused", writable)
    print("recovered", store.probe_write(0.0), count())
""")


def test_reads_survive_immutable_files_and_see_every_commit(tmp_path):
    if not shutil.which("chattr") or os.geteuid() != 0:
        pytest.skip("needs chattr and root")
    path = tmp_path / "care.db"
    try:
        done = subprocess.run([sys.executable, "-c", CHILD, str(path)],
                              capture_output=True, text=True, timeout=60,
                              cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    finally:  # a child killed by SIGBUS leaves them immutable
        subprocess.run(["chattr", "-i", *map(str, tmp_path.glob("care.db*"))],
                       capture_output=True, check=False)
    if done.returncode == 77:
        pytest.skip("this file system has no immutable flag")
    assert done.returncode == 0, f"exit {done.returncode} (-7 is SIGBUS): {done.stderr}"
    assert "seen [2, 2]" in done.stdout
    assert "refused database files are read-only" in done.stdout
    assert "recovered None 2" in done.stdout
