"""PostgreSQL, opt-in (ASYNC_CHECK_COMMIT): a share check's COMMIT does not wait for the disk.

A check's transaction (its row and its audit event) normally waits at COMMIT until
PostgreSQL has flushed its write-ahead log, the largest single wait in a check
(docs/performance.md). With ASYNC_CHECK_COMMIT on, check transactions run with
`synchronous_commit = off`. Nothing else changes: every other write (decisions, consent
records, agreements, the audited reads of a person's records) still waits for the disk, and
as PostgreSQL flushes its log in order, a decision recorded on a check makes that check
durable too.

The price: if PostgreSQL or its machine crashes, the checks answered in the moments before
(at most three `wal_writer_delay`s, 0.6 s by default) are lost with their audit events. The
database stays consistent and the audit chain stays whole; it just ends earlier. SQLite in
WAL mode with synchronous=NORMAL, the embedded default, loses the same after an OS crash.

One consequence needs a guard. A check's id comes from a sequence whose advance sits in the
same unflushed log, so after a crash the lost checks' ids would be handed out again, and a
practitioner holding a lost check's id could record a decision on someone else's check. So
every new connection first claims the crash sentinel (migration 0006), a row that PostgreSQL
removes after a crash and at no other time; the connection that finds it gone moves the
sequence on by ID_GAP_AFTER_CRASH and commits that, durably, before serving anything. A
crash ends every connection, so every check after one runs on a connection that passed here.
Only a connection that passed relaxes its checks' commits: before migration 0006 has run
(during `flask db upgrade` itself, say) checks commit synchronously, as with the setting off.
"""

import logging

from flask import Flask
from psycopg.errors import UndefinedTable
from sqlalchemy import event, func, text
from sqlalchemy.engine import Connection

from registry.extensions import db
from registry.fast_sql import FastStatement

log = logging.getLogger(__name__)

#: Far more checks than all app servers together can answer in the 0.6 s a crash can lose,
#: and small beside the 2.1 billion ids an integer key allows.
ID_GAP_AFTER_CRASH = 1_000_000

#: Set in a pooled connection's info once it has passed the crash guard.
_GUARDED = "registry.crash_guarded"
_RELAX = FastStatement(text("SET LOCAL synchronous_commit = off"))
#: The same as a column of a statement the check runs anyway, which saves a round trip.
RELAX_COLUMN = func.set_config("synchronous_commit", "off", True)
_CLAIM_SENTINEL_OR_SKIP_IDS = """
WITH claimed AS (
    INSERT INTO crash_sentinel (id) VALUES (1) ON CONFLICT DO NOTHING RETURNING id
)
SELECT setval(pg_get_serial_sequence('share_checks', 'id'),
              nextval(pg_get_serial_sequence('share_checks', 'id')) + %(gap)s)
FROM claimed
"""


def _enabled(app: Flask) -> bool:
    return app.config["ASYNC_CHECK_COMMIT"] and db.engine.dialect.name == "postgresql"


def relaxes(connection: Connection) -> bool:
    """Whether checks on this connection may commit without waiting for the disk.

    Only a connection that passed the crash guard may, and the guard runs only with the
    setting on.
    """
    return bool(connection.info.get(_GUARDED))


def relax_check_commit(connection: Connection) -> None:
    """Inside a check's transaction: let its COMMIT return before the log is on disk."""
    if relaxes(connection):
        _RELAX.rows(connection)


def skip_ids_lost_in_a_crash(dbapi_connection) -> int | None:
    """Claim the crash sentinel; if it was gone, move the check ids on. The new last id, if so.

    Concurrent connections queue on the sentinel's key: one claims it and moves the sequence,
    the others wait for its commit and then find the row there.
    """
    with dbapi_connection.cursor() as cursor:
        cursor.execute(_CLAIM_SENTINEL_OR_SKIP_IDS, {"gap": ID_GAP_AFTER_CRASH})
        row = cursor.fetchone()
    dbapi_connection.commit()
    if row is None:
        return None
    log.warning(
        "The crash sentinel was gone (PostgreSQL crashed, was shut down immediately or failed "
        "over): checks answered just before may be lost; check ids now continue after %d.",
        row[0],
    )
    return row[0]


def _guard_new_connection(dbapi_connection, connection_record) -> None:
    try:
        skip_ids_lost_in_a_crash(dbapi_connection)
    except UndefinedTable:
        dbapi_connection.rollback()
        log.warning(
            "ASYNC_CHECK_COMMIT needs migration 0006 (flask db upgrade); until then checks "
            "commit synchronously."
        )
        return
    connection_record.info[_GUARDED] = True


def init_app(app: Flask) -> None:
    with app.app_context():
        if _enabled(app):
            event.listen(db.engine, "connect", _guard_new_connection)
        elif app.config["ASYNC_CHECK_COMMIT"]:
            log.warning("ASYNC_CHECK_COMMIT applies to PostgreSQL only; SQLite ignores it.")
