"""The append-only, hash-chained audit trail."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db
from registry.models.base import UTCDateTime


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_at", "at"),
        Index("ix_audit_events_subject", "subject_hash", "at"),
    )

    #: Position in the chain, 1, 2, 3, ... without gaps: a deleted row leaves a hole.
    #: On SQLite it is declared INTEGER, which makes it the table's rowid: a BIGINT primary
    #: key would be a second B-tree that every appended event writes to (SQLite's INTEGER
    #: is 64-bit anyway).
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Not indexed: nothing looks events up by actor (migration 0005).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(100))
    #: Keyed hash of the person whose records were read or written, for the access report.
    subject_hash: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(db.Model):
    """One row: the chain's last position and hash.

    Appenders update this row first, which locks it until they commit; so concurrent writers,
    on several app servers, append one after another and the chain stays a single chain.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
