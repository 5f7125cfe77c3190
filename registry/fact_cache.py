"""Keep, between requests, what a check reads that rarely changes, for as long as it is current.

A check needs the two agencies, the agreements between them and the caller's token and user.
Those rows change rarely, while checks arrive all the time, so each process keeps what it
read, together with the change stamp (`registry.models.change_stamp`) it read it under. Every
request reads the current stamps in one trivial query and uses a kept value only if its stamp
is still the current one; a database trigger replaces the stamp on every write to those
tables, in the writer's own transaction, so the first request after a change reads afresh.

This keeps no state that two app servers could disagree about: each server checks every
value against the database's stamp before using it, so a change made through any server (or
straight in the database) is seen by all at once.

A value read after its stamp is no older than the stamp (the stamp is read first); a value
kept under a stamp that a concurrent write is replacing can only be newer, never older. The
stamps are read once per transaction and again after any write on the connection.
"""

import threading
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

from registry.extensions import db
from registry.fast_sql import FastStatement
from registry.models import ChangeStamp

_STAMPS = FastStatement(select(ChangeStamp.name, ChangeStamp.stamp))
_EXTENSION = "registry.fact_cache"


@dataclass(frozen=True, slots=True)
class Stamps:
    """The current stamps; None when a stamp row is missing (then nothing is kept)."""

    facts: int | None
    principals: int | None


def current_stamps() -> Stamps:
    """The database's stamps as this transaction sees them.

    Read once per transaction (authentication and the check share the read), and again after
    any write on the connection, since a write in this transaction may change them.
    """
    connection = db.session.connection()
    stamps = connection.info.get(_MEMO)
    if stamps is None:
        found = dict(_STAMPS.rows(connection))
        stamps = Stamps(facts=found.get("facts"), principals=found.get("principals"))
        connection.info[_MEMO] = stamps
    return stamps


#: Where the stamps read in the current transaction are remembered: the pooled connection's
#: info, emptied at every write, commit, rollback and return to the pool.
_MEMO = "registry.change_stamps"


def _forget(info: dict) -> None:
    info.pop(_MEMO, None)


def _forget_on_write(conn, _cursor, statement: str, *_args) -> None:
    if not statement.lstrip()[:6].upper().startswith("SELECT"):
        _forget(conn.info)


def _forget_at_transaction_end(conn) -> None:
    # An invalidated connection (found dead) takes its info with it, and asking for that
    # info would try to reconnect in the middle of the rollback.
    if not conn.invalidated:
        _forget(conn.info)


sa_event.listen(Engine, "before_cursor_execute", _forget_on_write)
sa_event.listen(Engine, "commit", _forget_at_transaction_end)
sa_event.listen(Engine, "rollback", _forget_at_transaction_end)
sa_event.listen(Pool, "checkin", lambda _dbapi, record: _forget(record.info))


class StampedCache:
    """Values kept with the stamp they were read under, at most `size` of them (0: none)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: dict = {}
        self._lock = threading.Lock()

    def get(self, key, stamp: int | None):
        """The value kept for `key` under this very stamp, or None."""
        if stamp is None:
            return None
        entry = self._entries.get(key)
        if entry is None or entry[0] != stamp:
            return None
        return entry[1]

    def get_many(self, keys, stamp: int | None, load) -> dict:
        """The values for `keys`: those kept under `stamp`, the rest from `load(missing)`.

        `load` returns a dict for the keys it found; those values are kept. Keys it does not
        return are left out of the answer (and not kept).
        """
        found, missing = {}, []
        for key in keys:
            value = self.get(key, stamp)
            if value is None:
                missing.append(key)
            else:
                found[key] = value
        if missing:
            for key, value in load(missing).items():
                self.put(key, stamp, value)
                found[key] = value
        return found

    def put(self, key, stamp: int | None, value) -> None:
        if stamp is None or self._size <= 0:
            return
        with self._lock:
            if key not in self._entries and len(self._entries) >= self._size:
                del self._entries[next(iter(self._entries))]
            self._entries[key] = (stamp, value)

    def __len__(self) -> int:
        return len(self._entries)


@dataclass(frozen=True)
class FactCaches:
    """The caches of one app (one per process)."""

    agencies: StampedCache
    pairs: StampedCache
    principals: StampedCache


def caches() -> FactCaches:
    found = current_app.extensions.get(_EXTENSION)
    if found is None:
        size = current_app.config["FACT_CACHE_SIZE"]
        found = current_app.extensions[_EXTENSION] = FactCaches(
            StampedCache(size), StampedCache(size), StampedCache(size)
        )
    return found
