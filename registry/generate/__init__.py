"""A synthetic, national-size registry for benchmarks: `flask --app wsgi registry generate`.

Everything is written with bulk inserts on one raw connection (``executemany`` on SQLite,
``COPY`` on PostgreSQL), never the ORM row by row, so a million people with their consent
histories load in minutes. Rows get explicit ids so that later rows can point at earlier
ones without asking the database; PostgreSQL's sequences are moved past them at the end.

What it writes:

- agencies of every sector, grouped into local areas (partnerships form inside an area);
- per agency one lead and two practitioners, plus admins and auditors (one shared password
  hash, so no argon2 cost per user);
- agreements in every state: draft, awaiting signatures, active, active with an amendment
  awaiting signatures, suspended (and resumed), terminated and expired, with 1 to 4 versions,
  parties, signatures and lifecycle events;
- 1 to 5 consent records per person, keyed by ``subject_hash`` of ``person_identifier(i)``;
- past checks (with synthetic outcomes and reasons) and the decisions recorded on them;
- the audit trail: one "bulk import" event per table for the registry data, and one event per
  check and per decision, chained exactly as ``registry.audit`` chains them, so
  ``registry audit-verify`` passes.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from registry.extensions import db
from registry.generate.generator import Generator
from registry.generate.world import Sizes, person_identifier
from registry.models import Agency, Agreement, AuditEvent, ConsentRecord, ShareCheck, User

__all__ = ["GenerateRefused", "ensure_empty", "generate", "person_identifier"]

TABLES_TO_BE_EMPTY = (Agency, User, Agreement, ConsentRecord, ShareCheck, AuditEvent)


class GenerateRefused(Exception):
    pass


def ensure_empty() -> None:
    for model in TABLES_TO_BE_EMPTY:
        if db.session.scalar(select(func.count()).select_from(model)):
            raise GenerateRefused(
                f"The database is not empty ({model.__tablename__} has rows): "
                "generate only fills an empty, migrated database."
            )


def generate(
    agencies: int,
    agreements: int,
    people: int,
    checks: int,
    seed: int,
    subject_key: str,
    echo: Callable = print,
) -> dict[str, int]:
    """Fill the (empty, migrated) database of the current app; return the row counts."""
    if agencies < 2:
        raise GenerateRefused("Generate at least two agencies.")
    ensure_empty()
    db.session.rollback()
    db.session.close()
    sizes = Sizes(agencies=agencies, agreements=agreements, people=people, checks=checks)
    return Generator(sizes, seed, subject_key, echo).run(db.engine)
