"""Opening SQLite files: private permissions, the connection PRAGMAs, a copy for reading."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import tempfile
import threading
from pathlib import Path


def chmod_if_mine(path: Path, mode: int) -> None:
    """Set a file's mode when this user owns it and it differs; a missing file is fine."""
    try:
        info = path.stat()
        if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) != mode:
            path.chmod(mode)
    except FileNotFoundError:
        return


class StorageUnavailable(sqlite3.OperationalError):
    """Raised instead of touching the database when its files cannot be written."""


def connect(path: str, busy_ms: int) -> sqlite3.Connection:
    """A connection that waits busy_ms for the write lock and never maps the database file."""
    connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout={busy_ms}")
    connection.execute("PRAGMA mmap_size=0")  # never map the database file itself
    return connection


class Snapshot:
    """A private copy of the database and its WAL, for reads while the files cannot be written.

    SQLite shares one ``-shm`` mapping among all of a process's connections to a file, and a
    reader writes its read mark through it; once the file is immutable, that write faults
    (SIGBUS), even from a brand-new connection. So while the files cannot be written, reads
    go to a copy (made with read(), never mapped) in memory-backed ``/dev/shm`` when there is
    one, readable by this user only. Nothing is written meanwhile (writes are refused), so
    the copy stays exact; it is deleted when the files take writes again.
    """

    def __init__(self, path: str):
        self.source = path
        self._lock = threading.Lock()
        self._folder: str | None = None

    def path(self) -> str:
        """The copy's path, made at the first call after the files turned read-only."""
        with self._lock:
            if self._folder is None:
                base = "/dev/shm" if os.path.isdir("/dev/shm") else None
                folder = tempfile.mkdtemp(prefix="care-snapshot-", dir=base)
                try:
                    for suffix in ("", "-wal"):
                        if os.path.exists(self.source + suffix):
                            shutil.copyfile(self.source + suffix,
                                            os.path.join(folder, "care.db" + suffix))
                except OSError:
                    shutil.rmtree(folder, ignore_errors=True)
                    raise
                self._folder = folder
            return os.path.join(self._folder, "care.db")

    def discard(self) -> None:
        """Delete the copy (connections still open on it keep reading their own files)."""
        with self._lock:
            if self._folder is not None:
                shutil.rmtree(self._folder, ignore_errors=True)
                self._folder = None
