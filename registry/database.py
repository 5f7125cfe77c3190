"""Database plumbing: SQLite pragmas, and turning lost races into 409s."""

import os

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from registry.errors import Conflict, _registry_error_response
from registry.extensions import db
from registry.sqlite_writers import QueuedWriterConnection

#: No memory map: pages are read with `pread` into the connection's page cache. In WAL mode
#: a connection that finds another one has written since its last transaction drops its
#: page cache *and unmaps the whole file* (SQLite's pagerBeginReadTransaction), so with two
#: or more processes writing, a map is torn down and faulted back in on almost every request,
#: which costs more than reading the same pages (docs/performance.md, item 24).
SQLITE_MMAP_BYTES = 0
SQLITE_CACHE_KIB = 65536
#: How long a SQLite writer waits for another to finish before "database is locked".
SQLITE_BUSY_TIMEOUT_SECONDS = 10.0


def _sqlite_connect_args(_dialect, _record, cargs, cparams) -> None:
    # Writers queue on a file lock next to the database (registry/sqlite_writers.py); the
    # timeout is SQLite's busy timeout and the queue's.
    cparams["timeout"] = SQLITE_BUSY_TIMEOUT_SECONDS
    if not cparams.get("uri"):
        cparams["factory"] = QueuedWriterConnection


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    # Both are per connection, not durable: see SQLITE_MMAP_BYTES for why there is no map.
    cursor.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}")
    cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    cursor.close()


def _on_lost_race(err: Exception):
    db.session.rollback()
    if isinstance(err, StaleDataError):
        message = "Someone else changed this record at the same time. Reload it and try again."
    else:
        message = "This conflicts with a record that already exists."
    return _registry_error_response(Conflict(message))


def init_app(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and not uri.startswith("sqlite:///:memory:"):
        os.makedirs(os.path.dirname(uri.removeprefix("sqlite:///")) or ".", exist_ok=True)
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            if engine.url.database and engine.url.database != ":memory:":
                event.listen(engine, "do_connect", _sqlite_connect_args)
            event.listen(engine, "connect", _sqlite_pragmas)
    app.register_error_handler(StaleDataError, _on_lost_race)
    app.register_error_handler(IntegrityError, _on_lost_race)
