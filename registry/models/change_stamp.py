"""Stamps that change whenever the rows a check reads but rarely changes are written, and the
log of which agreements and agencies the `facts` stamp's changes touched."""

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db

#: Stamp names and the tables whose writes change them (triggers in migrations 0003 and 0008).
WATCHED_TABLES = {
    "facts": (
        "agencies",
        "agreements",
        "agreement_versions",
        "agreement_parties",
        "signatures",
        "agreement_events",
    ),
    "principals": ("agencies", "users", "api_tokens"),
}

#: How many of the `facts` stamp's changes the log keeps (the triggers drop older ones). A
#: process whose kept facts are older than that drops them all (`registry/fact_cache.py`).
FACT_CHANGES_KEPT = 10_000


class ChangeStamp(db.Model):
    """One row per stamp: a random number that database triggers replace on every write.

    A trigger on each watched table sets a new random stamp in the writer's own transaction,
    whatever wrote the rows (the services, the generator, a test, psql). A process may keep
    what it read from those tables for as long as the stamp it read them under is still the
    database's (`registry/fact_cache.py`). Random rather than counted, so a rolled-back write
    can never leave a value that a later write reuses.

    The `facts` stamp also counts its changes in `seq`, and each change is logged in
    `fact_changes` under that number, so that a process can tell what a change touched.
    """

    __tablename__ = "change_stamps"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    stamp: Mapped[int] = mapped_column(BigInteger)
    seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class FactChange(db.Model):
    """What one change of the `facts` stamp touched, written by the triggers of migration 0008.

    One row per agreement a write touched (`agency_id` is set too when the write was to an
    agreement's parties, since that changes which agency pairs share the agreement). A row
    with no agreement means the change may touch anything (a write to `agencies`, a
    TRUNCATE, a PostgreSQL statement that touched more than 1,000 rows). Every row of one
    change carries its `seq` and the random `stamp` it set, so a reader can tell that the
    log it reads continues the history it last saw. No foreign keys: the log outlives the
    rows it names.
    """

    __tablename__ = "fact_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    stamp: Mapped[int] = mapped_column(BigInteger)
    agreement_id: Mapped[int | None]
    agency_id: Mapped[int | None]
