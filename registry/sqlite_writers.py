"""Let SQLite writers take turns on a file lock instead of SQLite's busy handler.

SQLite lets one connection write at a time. When a second one wants to write, its busy
handler sleeps and retries: 1 ms, then 2, 5, 10 ms and more. A share check holds the write
lock for about 0.3 ms (its INSERTs and COMMIT), so two gunicorn workers checking at once
lost a millisecond or more per collision while the CPU sat idle; under a stream of checks
that was about 7 % of a worker's time (docs/performance.md).

Connections made with `QueuedWriterConnection` take an exclusive `flock` on a file next to
the database (``<database>-writer-lock``) before a statement that may write, and give it up
as soon as their transaction ends (commit, rollback, or a statement that ran outside any
transaction). A writer that finds the lock taken waits in short, growing steps (50 µs up to
2 ms), so it goes on soon after the other commits. It gives up after the same timeout as
SQLite's busy handler (the connection's ``timeout``), raising the error SQLite raises
("database is locked"), so a stuck writer elsewhere still fails requests rather than hanging
them.

Only our own connections queue here; any other SQLite client (the sqlite3 shell, the WAL
checkpointer) still meets SQLite's own lock, as before. Reads never take the file lock.
SQLite's lock still guards every write, so the file lock only decides who waits how: where
the lock file cannot be opened (another user's file, a read-only directory), the connection
simply writes without it, as plain SQLite would.
"""

import fcntl
import logging
import os
import sqlite3
import time

log = logging.getLogger(__name__)

_FIRST_PAUSE = 50e-6
_LONGEST_PAUSE = 2e-3


def lock_path(database_path: str) -> str:
    return database_path + "-writer-lock"


class QueuedWriterConnection(sqlite3.Connection):
    """A sqlite3 connection that queues its writes on the database's writer lock file.

    Pass it as ``factory`` to `sqlite3.connect` (SQLAlchemy: the engine's ``do_connect``).
    """

    def __init__(self, database, timeout: float = 5.0, *args, **kwargs) -> None:
        super().__init__(database, timeout, *args, **kwargs)
        self._lock_fd = _open_lock(os.fspath(database))
        self._holding = False
        self._timeout = timeout

    def cursor(self, factory=None):
        return super().cursor(factory or _QueuedWriterCursor)

    # The connection's own shortcuts run their statement through a plain C cursor, bypassing
    # `cursor()`: route them through ours.
    def execute(self, sql, parameters=(), /):
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql, parameters, /):
        return self.cursor().executemany(sql, parameters)

    def executescript(self, script, /):
        return self.cursor().executescript(script)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._release_unless_in_transaction()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release_unless_in_transaction()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release()
            self._close_lock()

    def __del__(self) -> None:
        # A connection dropped without close() must not keep its descriptor (or the lock).
        self._close_lock()

    def _close_lock(self) -> None:
        fd, self._lock_fd = getattr(self, "_lock_fd", -1), -1
        if fd >= 0:
            os.close(fd)

    def _before(self, sql: str) -> None:
        """Wait for our turn before a statement that may write."""
        if not self._holding and self._lock_fd >= 0 and not _is_read(sql):
            self._acquire()

    def _release_unless_in_transaction(self) -> None:
        if self._holding and not self.in_transaction:
            self._release()

    def _acquire(self) -> None:
        pause, deadline = _FIRST_PAUSE, None
        while True:
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                now = time.monotonic()
                deadline = deadline or now + self._timeout
                if now >= deadline:
                    raise sqlite3.OperationalError("database is locked") from None
                time.sleep(pause)
                pause = min(pause * 2, _LONGEST_PAUSE)
                continue
            self._holding = True
            return

    def _release(self) -> None:
        if self._holding:
            self._holding = False
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)


class _QueuedWriterCursor(sqlite3.Cursor):
    connection: QueuedWriterConnection

    def execute(self, sql, parameters=(), /):
        return self._queued(super().execute, sql, parameters)

    def executemany(self, sql, parameters, /):
        return self._queued(super().executemany, sql, parameters)

    def executescript(self, script, /):
        return self._queued(super().executescript, script)

    def _queued(self, run, sql, *args):
        self.connection._before(sql)
        try:
            return run(sql, *args)
        finally:
            self.connection._release_unless_in_transaction()


def _open_lock(database: str) -> int:
    """The lock file's descriptor, or -1 when it cannot be opened (then no queueing).

    `flock` needs no write access, so the file is opened read-only, and created with the
    database's own permissions, as SQLite creates its -wal and -shm files: every account that
    may use the database can then use the lock.
    """
    try:
        mode = os.stat(database).st_mode & 0o666
    except OSError:
        mode = 0o644
    path = lock_path(database)
    try:
        return os.open(path, os.O_RDONLY | os.O_CREAT, mode)
    except OSError as err:
        log.warning("SQLite writers will not queue: cannot open %s (%s)", path, err)
        return -1


def _is_read(sql: str) -> bool:
    return sql.lstrip()[:6].upper() == "SELECT"
