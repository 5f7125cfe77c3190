"""Read what the `facts` stamp's changes touched, from the log its triggers keep.

Every write to an agency or agreement table moves the `facts` stamp on by one change and logs
what it touched (`registry.models.FactChange`, migration 0008). A process that kept facts as
of one change reads the log from there to the current change once, and drops only the kept
facts those changes touched (`registry.fact_cache.FactsCache`).

The log is trusted only when it visibly continues the history the process saw: its first row
must be the very change the process kept its facts at (same number, same random stamp) and
its last the current one. Anything else (the log pruned past that change, a database
restored from a backup, more changes than are worth reading) means everything is dropped.
"""

from dataclasses import dataclass

from sqlalchemy import bindparam, select

from registry.extensions import db
from registry.fast_sql import FastStatement
from registry.models import FactChange

#: Past this many rows, dropping every kept fact is cheaper than reading on.
ROWS_READ = 1_000


@dataclass(frozen=True, slots=True)
class Place:
    """A place in the `facts` stamp's history: the change's number and the stamp it set."""

    seq: int
    stamp: int


@dataclass(frozen=True, slots=True)
class Changes:
    """What a stretch of changes touched: some agreements and party agencies, or anything."""

    everything: bool = False
    agreements: frozenset[int] = frozenset()
    agencies: frozenset[int] = frozenset()


EVERYTHING = Changes(everything=True)

_LOG = FastStatement(
    select(FactChange.seq, FactChange.stamp, FactChange.agreement_id, FactChange.agency_id)
    .where(FactChange.seq >= bindparam("since"), FactChange.seq <= bindparam("until"))
    .order_by(FactChange.seq)
    .limit(ROWS_READ + 1)
)


def changes_between(since: Place, until: Place) -> Changes:
    """What the changes after `since`, up to and including `until`, touched."""
    rows = _LOG.rows(db.session.connection(), {"since": since.seq, "until": until.seq})
    return changes_in(rows, since, until)


def changes_in(rows, since: Place, until: Place) -> Changes:
    """What log rows (seq, stamp, agreement, agency), read from `since` on, say was touched."""
    if (
        len(rows) > ROWS_READ
        or not rows
        or Place(*rows[0][:2]) != since
        or Place(*rows[-1][:2]) != until
    ):
        return EVERYTHING
    agreements, agencies = set(), set()
    for seq, _stamp, agreement_id, agency_id in rows:
        if seq == since.seq:
            continue
        if agreement_id is None:
            return EVERYTHING
        agreements.add(agreement_id)
        if agency_id is not None:
            agencies.add(agency_id)
    return Changes(agreements=frozenset(agreements), agencies=frozenset(agencies))
