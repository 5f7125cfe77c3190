"""Append to and verify the hash-chained audit trail.

Each event's hash covers its own fields and the previous event's hash, so changing,
inserting or deleting any row breaks the chain from that point on. Events are appended in
the same transaction as the change they record.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from types import SimpleNamespace

from sqlalchemy import (
    Row,
    String,
    Table,
    Text,
    bindparam,
    cast,
    insert,
    select,
    type_coerce,
    update,
)
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from registry import liveness
from registry.extensions import db
from registry.fast_sql import FastStatement
from registry.models import AuditEvent, AuditHead
from registry.models.base import utcnow

GENESIS_HASH = "0" * 64
HEAD_ID = 1


#: `json.dumps` with these arguments builds a new encoder on every call.
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(fields: dict) -> str:
    """SHA-256 over the canonical JSON of an event's fields (see README for the recipe)."""
    return hashlib.sha256(_CANONICAL_JSON.encode(fields).encode("utf-8")).hexdigest()


def chained_fields(event) -> dict:
    """The fields an event's hash covers, in their exported form."""
    return {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "subject_hash": event.subject_hash,
        "details": event.details,
        "prev_hash": event.prev_hash,
    }


def _event(
    action: str,
    *,
    actor_id: int | None,
    target_type: str | None,
    target_id: object,
    subject_hash: str | None,
    details: dict | None,
) -> dict:
    """An event's own fields; its place in the chain (seq, at, hashes) is added on append."""
    return {
        "actor_id": actor_id,
        "action": action,
        "target_type": target_type,
        "target_id": None if target_id is None else str(target_id),
        "subject_hash": subject_hash,
        "details": details or {},
    }


def record(
    action: str,
    *,
    actor_id: int | None,
    target_type: str | None = None,
    target_id: object = None,
    subject_hash: str | None = None,
    details: dict | None = None,
) -> None:
    """Queue one event; it joins the chain when the current transaction commits.

    The events of a transaction are appended in one go just before its COMMIT (see
    `_append_queued`), so a rolled-back change leaves no event and the chain's lock is held
    only for the commit itself.
    """
    event = _event(
        action,
        actor_id=actor_id,
        target_type=target_type,
        target_id=target_id,
        subject_hash=subject_hash,
        details=details,
    )
    db.session.info.setdefault(_QUEUE, []).append(event)


_QUEUE = "registry.audit_queue"


def _append_queued(session: Session) -> None:
    """Append the transaction's queued events to the chain, inside the same transaction."""
    events = session.info.pop(_QUEUE, None)
    if not events:
        return
    connection = session.connection()
    # Moving the head first takes its row lock (PostgreSQL) or the write lock (SQLite), so
    # concurrent committers queue here and each continues from its predecessor's hash.
    ((last_seq, prev_hash),) = _BUMP_HEAD.rows(connection, {"count": len(events)})
    _append(connection, events, last_seq, prev_hash)


def _append(connection: Connection, events: list[dict], last_seq: int, prev_hash: str) -> None:
    """Write `events` into the places up to `last_seq`, which the head was just moved past."""
    at = utcnow()
    for seq, fields in enumerate(events, start=last_seq - len(events) + 1):
        fields.update(seq=seq, at=at, prev_hash=prev_hash)
        fields["hash"] = prev_hash = event_hash(chained_fields(SimpleNamespace(**fields)))
    if len(events) == 1 and connection.dialect.name == "postgresql":
        # The usual case (one event), in one round trip instead of two.
        _APPEND_ONE_SET_HEAD.rows(connection, {**events[0], "last_hash": prev_hash})
        return
    _INSERT_EVENT.execute_many(connection, events)
    _SET_HEAD_HASH.rows(connection, {"last_hash": prev_hash})


def _discard_queued(session: Session) -> None:
    session.info.pop(_QUEUE, None)


# The statements every audited transaction runs (registry/fast_sql.py).
_HEAD = AuditHead.__table__
_BUMP_HEAD = FastStatement(
    update(_HEAD)
    .where(_HEAD.c.id == HEAD_ID)
    .values(seq=_HEAD.c.seq + bindparam("count"))
    .returning(_HEAD.c.seq, _HEAD.c.last_hash)
)
_EVENTS = AuditEvent.__table__
_INSERT_EVENT = FastStatement(insert(_EVENTS), columns=[column.key for column in _EVENTS.c])
_SET_HEAD_HASH = FastStatement(
    update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(last_hash=bindparam("last_hash"))
)
#: PostgreSQL only (SQLite has no INSERT inside WITH): the event's INSERT and the head's new
#: hash as one statement.
_APPEND_ONE_SET_HEAD = FastStatement(
    _SET_HEAD_HASH.statement.add_cte(
        insert(_EVENTS).values({c.key: bindparam(c.key) for c in _EVENTS.c}).cte("appended")
    )
)


class AuditedInsert:
    """PostgreSQL: insert a row and take the chain's next place in one statement.

    An audited insert (a share check) otherwise makes three round trips: its INSERT, then
    at COMMIT the head's move and the event's append. Here the INSERT and the head's move are
    one data-modifying CTE, and the event about the new row is appended straight after it,
    so the head is locked from this statement to the COMMIT instead of from the COMMIT's
    first statement: the same span when the caller commits at once, as the check API does.
    `also` are further columns to select alongside (a `set_config`, say), evaluated once.
    """

    def __init__(self, table: Table, *also) -> None:
        inserted = (
            insert(table)
            .values({c.key: bindparam(c.key) for c in table.c if c.key != "id"})
            .returning(table.c.id)
            .cte("inserted")
        )
        moved = _BUMP_HEAD.statement.cte("moved")
        self._statement = FastStatement(
            select(inserted.c.id, moved.c.seq, moved.c.last_hash, *also)
        )

    def run(
        self,
        connection: Connection,
        row: dict,
        action: str,
        *,
        actor_id: int | None,
        target_type: str,
        subject_hash: str | None = None,
        details: dict | None = None,
    ) -> int:
        """Insert `row` and append its event (as `record` does), with the row as its target.

        Returns the new row's id.
        """
        ((row_id, seq, prev_hash, *_),) = self._statement.rows(connection, {**row, "count": 1})
        event = _event(
            action,
            actor_id=actor_id,
            target_type=target_type,
            target_id=row_id,
            subject_hash=subject_hash,
            details=details,
        )
        _append(connection, [event], seq, prev_hash)
        return row_id


sa_event.listen(Session, "before_commit", _append_queued)
sa_event.listen(Session, "after_rollback", _discard_queued)


@dataclass(frozen=True)
class Verification:
    ok: bool
    events: int
    first_broken: int | None
    #: The last event's hash when the chain is intact (None when it is broken or empty):
    #: kept outside the registry with `events`, it shows later that the chain up to there
    #: was neither cut short nor rewritten whole.
    last_hash: str | None = None
    #: Whether the chain still holds the anchor the check was given (None without one).
    anchor_ok: bool | None = None


@dataclass(frozen=True)
class Anchor:
    """What an earlier intact check returned (`events`, `last_hash`), kept outside the
    registry: a chain rewritten whole, hashes and head included, no longer holds it."""

    events: int
    last_hash: str

    @classmethod
    def given(cls, args: dict) -> "Anchor | None":
        """The anchor in `VerifyArgsSchema`'s loaded args, or None when none was given."""
        return cls(**args) if args else None


def iter_events(where=None, batch: int = 2000) -> Iterator[Row]:
    """Events in chain order as plain rows, fetched in batches so memory stays flat.

    Each batch tells the app server the worker is alive (a walk of the whole chain is long).
    """
    table = AuditEvent.__table__
    last = 0
    while True:
        liveness.beat()
        query = select(table).where(table.c.seq > last).order_by(table.c.seq).limit(batch)
        if where is not None:
            query = query.where(where)
        rows = db.session.execute(query).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify(anchor: Anchor | None = None) -> Verification:
    """Walk the chain and report the first event that does not fit, if any, and whether it
    still holds `anchor`."""
    check = ChainCheck(anchor=anchor)
    for _ in check.batches():
        pass
    return check.result


class ChainCheck:
    """One walk of the whole chain, batch by batch, then its `result`.

    At national size the walk is long (1.5M events, about 20 s on our machines): the API and
    the page send a byte after each batch, so that a proxy does not give up on the silence.
    """

    #: Events read at a time: about 0.1 s of work.
    BATCH = 5000

    def __init__(self, batch: int = BATCH, anchor: Anchor | None = None) -> None:
        self.batch = batch
        self.anchor = anchor
        self.result: Verification | None = None

    def batches(self) -> Iterator[int]:
        """Check the chain, yielding the number of events checked after each batch; `result`
        is set when it ends (at the first event that does not fit, or after the last)."""
        expected_seq, prev_hash = 1, GENESIS_HASH
        anchor_seq, anchored = (self.anchor.events if self.anchor else 0), False
        for rows in _chain(db.session.connection(), self.batch):
            for row in rows:
                # Each event's fields are dropped before the next's: a batch of them kept
                # alive at once makes Python's garbage collector run and costs half again.
                fields, stored_hash = _chained(row)
                if (
                    fields["seq"] != expected_seq
                    or fields["prev_hash"] != prev_hash
                    or stored_hash != event_hash(fields)
                ):
                    self.result = Verification(
                        ok=False, events=expected_seq, first_broken=expected_seq
                    )
                    return
                if expected_seq == anchor_seq:
                    anchored = stored_hash == self.anchor.last_hash
                expected_seq, prev_hash = expected_seq + 1, stored_hash
            yield expected_seq - 1
        verdict = _against_head(expected_seq - 1, prev_hash)
        if self.anchor is not None:
            ok = verdict.ok and anchored
            verdict = replace(
                verdict, ok=ok, anchor_ok=anchored, last_hash=verdict.last_hash if ok else None
            )
        self.result = verdict


def _against_head(last: int, last_hash: str) -> Verification:
    """The verdict on a chain whose events 1 to `last` fit, from the head the appenders keep."""
    head = db.session.get(AuditHead, HEAD_ID)
    if head is None or head.seq > last:
        # Rows were removed from the end of the chain.
        return Verification(ok=False, events=last, first_broken=last + 1)
    if head.seq < last:
        # Rows were appended behind the appenders' back: the first one past the head.
        return Verification(ok=False, events=last, first_broken=head.seq + 1)
    if head.last_hash != last_hash:
        # The last event was rewritten (with a recomputed hash).
        return Verification(ok=False, events=last, first_broken=last)
    return Verification(
        ok=True, events=last, first_broken=None, last_hash=last_hash if last else None
    )


def exported_events(where=None) -> Iterator[dict]:
    """The events (those matching `where`, if given) in chain order, in their exported form:
    `AuditEventSchema`'s, read as the integrity check reads them. The JSON Lines export of a
    national trail is 1.7M events, and through ORM rows and the schema it took 94 s."""
    for rows in _chain(db.session.connection(), ChainCheck.BATCH, where):
        for row in rows:
            fields, stored_hash = _chained(row)
            fields["hash"] = stored_hash
            yield fields


def _chain(connection: Connection, batch: int, where=None) -> Iterator[list[tuple]]:
    """The events in chain order, as the driver's rows (`_chained` decodes one), by batches."""
    statement = (
        _CHAIN_BATCH if where is None else FastStatement(_CHAIN_BATCH.statement.where(where))
    )
    after = 0
    while True:
        liveness.beat()
        rows = statement.rows(connection, {"after": after, "batch": batch})
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def _chained(row: tuple) -> tuple[dict, str]:
    """An event's chained fields and stored hash, from a row of `_CHAIN_BATCH`.

    The whole chain is read for every check, so it is read as the driver's own values, and
    the two that need it (the time and the details) are decoded here instead of through the
    column types and result rows: twice as fast (docs/performance.md, item 37).
    """
    seq, at, actor_id, action, target_type, target_id, subject, details, prev, stored = row
    fields = {
        "seq": seq,
        "at": _exported_time(at),
        "actor_id": actor_id,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "subject_hash": subject,
        "details": json.loads(details),
        "prev_hash": prev,
    }
    return fields, stored


def _exported_time(at: datetime | str) -> str:
    """An event's time as `chained_fields` exports it, from the driver's value: SQLite keeps
    the UTC time as text without an offset, psycopg gives an aware datetime."""
    if isinstance(at, str):
        at = datetime.fromisoformat(at).replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat()


#: The driver's values as they are (see `_chained`): a String column has no result processing,
#: and JSON is read as its text because psycopg's own decoding costs four times json.loads.
_CHAIN_BATCH = FastStatement(
    select(
        _EVENTS.c.seq,
        type_coerce(_EVENTS.c.at, String),
        _EVENTS.c.actor_id,
        _EVENTS.c.action,
        _EVENTS.c.target_type,
        _EVENTS.c.target_id,
        _EVENTS.c.subject_hash,
        cast(_EVENTS.c.details, Text),
        _EVENTS.c.prev_hash,
        _EVENTS.c.hash,
    )
    .where(_EVENTS.c.seq > bindparam("after"))
    .order_by(_EVENTS.c.seq)
    .limit(bindparam("batch"))
)
