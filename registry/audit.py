"""Append to and verify the hash-chained audit trail.

Each event's hash covers its own fields and the previous event's hash, so changing,
inserting or deleting any row breaks the chain from that point on. Events are appended in
the same transaction as the change they record.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Row, bindparam, insert, select, update

from registry.extensions import db
from registry.models import AuditEvent, AuditHead
from registry.models.base import utcnow

GENESIS_HASH = "0" * 64
HEAD_ID = 1


def event_hash(fields: dict) -> str:
    """SHA-256 over the canonical JSON of an event's fields (see README for the recipe)."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


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


def record(
    action: str,
    *,
    actor_id: int | None,
    target_type: str | None = None,
    target_id: object = None,
    subject_hash: str | None = None,
    details: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain in the current transaction."""
    # Updating the head first takes its row lock (PostgreSQL) or the write lock (SQLite),
    # so concurrent appenders queue here and each sees its predecessor's hash.
    seq, prev_hash = db.session.execute(_BUMP_HEAD).one()
    event = AuditEvent(
        seq=seq,
        at=utcnow(),
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        subject_hash=subject_hash,
        details=details or {},
        prev_hash=prev_hash,
    )
    event.hash = event_hash(chained_fields(event))
    # A plain INSERT now rather than the ORM's unit of work at the next flush: same row, same
    # transaction, less work. The returned event is not added to the session.
    db.session.execute(_INSERT_EVENT, {c: getattr(event, c) for c in _EVENT_COLUMNS})
    db.session.execute(_SET_HEAD_HASH, {"last_hash": event.hash})
    return event


_BUMP_HEAD = (
    update(AuditHead)
    .where(AuditHead.id == HEAD_ID)
    .values(seq=AuditHead.seq + 1)
    .returning(AuditHead.seq, AuditHead.last_hash)
)
_SET_HEAD_HASH = (
    update(AuditHead).where(AuditHead.id == HEAD_ID).values(last_hash=bindparam("last_hash"))
)
_EVENT_COLUMNS = tuple(c.name for c in AuditEvent.__table__.columns)
_INSERT_EVENT = insert(AuditEvent.__table__)


@dataclass(frozen=True)
class Verification:
    ok: bool
    events: int
    first_broken: int | None


def iter_events(where=None, batch: int = 2000) -> Iterator[Row]:
    """Events in chain order as plain rows, fetched in batches so memory stays flat."""
    table = AuditEvent.__table__
    last = 0
    while True:
        query = select(table).where(table.c.seq > last).order_by(table.c.seq).limit(batch)
        if where is not None:
            query = query.where(where)
        rows = db.session.execute(query).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify() -> Verification:
    """Walk the chain and report the first event that does not fit, if any."""
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    for event in iter_events():
        count += 1
        if (
            event.seq != expected_seq
            or event.prev_hash != prev_hash
            or event.hash != event_hash(chained_fields(event))
        ):
            return Verification(ok=False, events=count, first_broken=expected_seq)
        expected_seq, prev_hash = event.seq + 1, event.hash
    head = db.session.get(AuditHead, HEAD_ID)
    last = expected_seq - 1
    if head is None or head.seq > last:
        # Rows were removed from the end of the chain.
        return Verification(ok=False, events=count, first_broken=last + 1)
    if head.seq < last:
        # Rows were appended behind the appenders' back: the first one past the head.
        return Verification(ok=False, events=count, first_broken=head.seq + 1)
    if head.last_hash != prev_hash:
        # The last event was rewritten (with a recomputed hash).
        return Verification(ok=False, events=count, first_broken=last)
    return Verification(ok=True, events=count, first_broken=None)
