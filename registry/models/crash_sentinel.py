"""A row that only a database crash removes (PostgreSQL), for registry/async_commit.py."""

from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db


class CrashSentinel(db.Model):
    """One row (id 1) in an UNLOGGED table on PostgreSQL (migration 0006).

    PostgreSQL empties an unlogged table after a crash, an immediate shutdown or a failover
    to a standby, and at no other time; a clean restart keeps it. So a missing row means the
    server may have lost transactions that were committed without waiting for the disk. On
    SQLite it is an ordinary table that nothing reads.
    """

    __tablename__ = "crash_sentinel"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
