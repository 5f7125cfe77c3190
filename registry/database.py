"""Database plumbing: SQLite pragmas, pinging idle PostgreSQL connections, and turning lost
races into 409s."""

import os
import time

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.exc import IntegrityError, InvalidatePoolError
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


#: Where a pooled connection notes when it was last returned (or opened).
_IDLE_SINCE = "registry.idle_since"


def _ping_after_idle(dialect: Dialect, seconds: float) -> dict:
    """Pool listeners that ping a connection before use only if it has sat idle `seconds`.

    A server connection can drop (a restart, a failover, an idle timeout on the way), and
    SQLAlchemy's `pool_pre_ping` finds that out before a request uses it, at the cost of a
    round trip on every checkout: a quarter of healthz's and a seventh of a check's round
    trips. A connection returned moments ago is almost never dead, so, as PgBouncer's
    `server_check_delay` does, this pings only one that has been idle. One that drops
    while busy fails the request that finds out, and the session's rollback after the error
    discards it.
    """

    def opened(_dbapi_connection, record) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    def checked_out(dbapi_connection, record, _proxy) -> None:
        if time.monotonic() - record.info.get(_IDLE_SINCE, 0.0) < seconds:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as err:
            if dialect.is_disconnect(err, dbapi_connection, None):
                # As SQLAlchemy's pre-ping does: the server went away, so every connection
                # opened before now is discarded, and the pool opens a new one for this use.
                raise InvalidatePoolError("A pooled connection was dead.") from err
            raise

    return {"connect": opened, "checkin": opened, "checkout": checked_out}


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
        elif app.config["DB_POOL_PRE_PING"]:
            for name, listener in _ping_after_idle(
                engine.dialect, app.config["DB_POOL_PING_AFTER_IDLE"]
            ).items():
                event.listen(engine, name, listener)
    app.register_error_handler(StaleDataError, _on_lost_race)
    app.register_error_handler(IntegrityError, _on_lost_race)
