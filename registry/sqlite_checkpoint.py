"""Checkpoint a SQLite database's write-ahead log in the background, off the request path.

By default SQLite copies the log back into the database file inside whichever COMMIT takes
the log past 1,000 pages. Under a stream of checks that was about one commit in 80, and that
commit took ~11 ms instead of ~0.2 ms (docs/performance.md). A serving process runs this
thread instead: a PASSIVE checkpoint every `interval` seconds, which never blocks readers or
writers and keeps the log short; the automatic checkpoint stays as a backstop. The thread
opens its own connection, so it must be started in the process that uses it (gunicorn
starts it in each worker after the fork: see gunicorn.conf.py).
"""

import logging
import sqlite3
import threading

from flask import Flask
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)


class WalCheckpointer:
    def __init__(self, path: str, interval: float) -> None:
        self.path = path
        self.interval = interval
        #: (busy, log pages, checkpointed pages) of the last checkpoint, and how many ran.
        self.last_result: tuple[int, int, int] | None = None
        self.checkpoints = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wal-checkpointer", daemon=True)

    def start(self) -> "WalCheckpointer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        connection = sqlite3.connect(self.path, timeout=10)
        try:
            while not self._stop.wait(self.interval):
                try:
                    row = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                except sqlite3.Error:
                    log.exception("WAL checkpoint of %s failed; will try again", self.path)
                    continue
                self.last_result = tuple(row)
                self.checkpoints += 1
        finally:
            connection.close()


def start_for(app: Flask) -> WalCheckpointer | None:
    """Start a checkpointer for the app's SQLite database file; None for any other database."""
    interval = app.config["SQLITE_CHECKPOINT_SECONDS"]
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    if interval <= 0:
        return None
    return WalCheckpointer(url.database, interval).start()
