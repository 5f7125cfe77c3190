"""Keep, between requests, what a check reads that rarely changes, for as long as it is current.

A check needs the two agencies, the agreements between them and the caller's token and user.
Those rows change rarely, while checks arrive all the time, so each process keeps what it
read. Every request reads the database's change stamps (`registry.models.change_stamp`) in
one trivial query; database triggers replace a stamp on every write to the tables it
watches, in the writer's own transaction, so a change made through any app server (or
straight in the database) is seen by all at once. This keeps no state that two app servers
could disagree about.

- Tokens and users (`principals`) are kept with the stamp they were read under and used only
  while it is still the current one (`StampedCache`).
- Agencies and agency pairs' agreements (`facts`) change every few seconds in a national
  registry, too often to drop them all at every change. They are kept as of a place in the
  `facts` stamp's history; when a request finds the stamp moved on, the process reads from
  the change log what the changes since touched and drops only that (`FactsCache`).

A value read after its stamp is no older than the stamp (the stamp is read first); a value
kept under a stamp that a concurrent write is replacing can only be newer, never older. The
stamps are read once per transaction and again after any write on the connection, and a
transaction that has written uses and keeps nothing: it may see its own uncommitted changes.
"""

import threading
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

from registry.extensions import db
from registry.fact_changes import EVERYTHING, Changes, Place, changes_between
from registry.fast_sql import FastStatement
from registry.models import ChangeStamp

_STAMPS = FastStatement(select(ChangeStamp.name, ChangeStamp.stamp, ChangeStamp.seq))
_EXTENSION = "registry.fact_cache"


@dataclass(frozen=True, slots=True)
class Stamps:
    """The current stamps; None when a stamp row is missing (then nothing is kept).

    `facts` is None too when this transaction has written: it may see changes of its own that
    are not committed, so it must neither use nor keep facts.
    """

    facts: Place | None
    principals: int | None


def current_stamps() -> Stamps:
    """The database's stamps as this transaction sees them.

    Read once per transaction (authentication and the check share the read), and again after
    any write on the connection, since a write in this transaction may change them.
    """
    connection = db.session.connection()
    stamps = connection.info.get(_MEMO)
    if stamps is None:
        found = {name: Place(seq=seq, stamp=stamp) for name, stamp, seq in _STAMPS.rows(connection)}
        facts, principals = found.get("facts"), found.get("principals")
        stamps = Stamps(
            facts=None if connection.info.get(_WROTE) else facts,
            principals=None if principals is None else principals.stamp,
        )
        connection.info[_MEMO] = stamps
    return stamps


#: Where the stamps read in the current transaction are remembered, and whether it has
#: written: the pooled connection's info, emptied at every commit, rollback and return to
#: the pool (and the stamps at every write).
_MEMO = "registry.change_stamps"
_WROTE = "registry.wrote"


def _forget(info: dict) -> None:
    info.pop(_MEMO, None)
    info.pop(_WROTE, None)


def _forget_on_write(conn, _cursor, statement: str, *_args) -> None:
    if not statement.lstrip()[:6].upper().startswith("SELECT"):
        conn.info.pop(_MEMO, None)
        conn.info[_WROTE] = True


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


class FactsCache:
    """Agencies by code and agency pairs' agreements, kept as of a place in the facts' history.

    `current(place, ...)` brings the kept values up to the request's place first: it drops
    what the changes since touched (read from the log once per process and change, not once
    per check) and moves the process's place on. A pair's agreements are touched by a change
    to any of them, and by a change to an agreement's parties that names either agency
    (which may add an agreement to the pair). Agencies are touched only by a change that may
    touch anything, such as a write to `agencies`.

    Threads of one process share it. A value is kept only if the place it was read at is
    still the process's place, so a value read before a change can never be kept after the
    change was applied.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._agencies: dict = {}
        self._pairs: dict = {}
        self._place: Place | None = None
        self._lock = threading.Lock()

    def current(self, place: Place | None, read_changes) -> bool:
        """Bring the kept values up to `place`; False if this request must not use them.

        `read_changes(since, until)` returns what the changes between two places touched.
        A request that sees an older place than the process's (a thread whose transaction
        began before another's) uses nothing kept and keeps nothing.
        """
        if place is None or self._size <= 0:
            return False
        kept = self._place
        if kept == place:
            return True
        if kept is not None and place.seq < kept.seq:
            return False
        same_change = kept is None or place.seq == kept.seq  # a restored database, say
        self._apply(EVERYTHING if same_change else read_changes(kept, place), place)
        return True

    def _apply(self, changes: Changes, place: Place) -> None:
        with self._lock:
            if changes.everything:
                self._agencies.clear()
                self._pairs.clear()
            else:
                for key in [
                    key for key, facts in self._pairs.items() if _touches(changes, key, facts)
                ]:
                    del self._pairs[key]
            if self._place is None or place.seq >= self._place.seq:
                self._place = place

    def agencies(self, codes, place: Place | None, load) -> dict:
        """The agencies with these codes (by code): those kept, the rest from `load(missing)`."""
        return self._get_many(self._agencies, codes, place, load)

    def pairs(self, keys, place: Place | None, load) -> dict:
        """Each (provider id, recipient id) pair's agreements, kept or from `load(missing)`."""
        return self._get_many(self._pairs, keys, place, load)

    def _get_many(self, kept: dict, keys, place: Place | None, load) -> dict:
        if not self.current(place, changes_between):
            return load(list(keys))
        found, missing = {}, []
        for key in keys:
            value = kept.get(key)
            if value is None:
                missing.append(key)
            else:
                found[key] = value
        if missing:
            loaded = load(missing)
            self._keep(kept, loaded, place)
            found.update(loaded)
        return found

    def _keep(self, kept: dict, values: dict, place: Place) -> None:
        with self._lock:
            if self._place != place:
                return
            for key, value in values.items():
                if key not in kept and len(kept) >= self._size:
                    del kept[next(iter(kept))]
                kept[key] = value

    def __len__(self) -> int:
        return len(self._agencies) + len(self._pairs)

    def kept_pairs(self) -> dict:
        """A copy of the pairs kept now, with their agreements."""
        return dict(self._pairs)


def _touches(changes: Changes, pair: tuple[int, int], facts) -> bool:
    provider_id, recipient_id = pair
    return (
        provider_id in changes.agencies
        or recipient_id in changes.agencies
        or any(agreement.id in changes.agreements for agreement in facts.agreements)
    )


@dataclass(frozen=True)
class FactCaches:
    """The caches of one app (one per process)."""

    facts: FactsCache
    principals: StampedCache


def caches() -> FactCaches:
    found = current_app.extensions.get(_EXTENSION)
    if found is None:
        size = current_app.config["FACT_CACHE_SIZE"]
        found = current_app.extensions[_EXTENSION] = FactCaches(
            FactsCache(size), StampedCache(size)
        )
    return found
