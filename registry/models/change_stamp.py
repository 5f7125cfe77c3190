"""Stamps that change whenever the rows a check reads but rarely changes are written."""

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db

#: Stamp names and the tables whose writes change them (triggers in migration 0003).
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


class ChangeStamp(db.Model):
    """One row per stamp: a random number that database triggers replace on every write.

    A trigger on each watched table sets a new random stamp in the writer's own transaction,
    whatever wrote the rows (the services, the generator, a test, psql). A process may keep
    what it read from those tables for as long as the stamp it read them under is still the
    database's (`registry/fact_cache.py`). Random rather than counted, so a rolled-back write
    can never leave a value that a later write reuses.
    """

    __tablename__ = "change_stamps"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    stamp: Mapped[int] = mapped_column(BigInteger)
