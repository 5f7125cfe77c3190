"""The access report: who read, checked or recorded which people's records, per user per day.

Built from the audit events that carry a subject hash (checks, check reads, decisions,
consent records and reads). The volume of a user-day is the number of distinct people
whose records the user touched that UK day.

"Far above the agency's usual volume": more than FAR_ABOVE times the median volume of all
the user-days of the same agency in the report's window (agency-less users, admins and
auditors, are compared with their role), and at least FLAG_MINIMUM people, so a quiet
agency's 3 instead of 1 is not flagged. The median is robust: one heavy user cannot hide
by raising the average.

Events are read in batches; only per-day counters and the current days' sets of people are
held, never the events.
"""

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from statistics import median

from sqlalchemy import and_, select

from registry.audit import iter_events
from registry.clock import UK
from registry.extensions import db
from registry.models import Agency, AuditEvent, User
from registry.queries import in_days
from registry.reports.base import Column, Viewer

FAR_ABOVE = 3
FLAG_MINIMUM = 20
CHECKS = frozenset({"check.create"})
READS = frozenset({"check.read", "consent.read"})

COLUMNS = (
    Column("day", "Day", "date", 11),
    Column("user", "User", width=20),
    Column("email", "Email", width=26),
    Column("role", "Role", "code", 12),
    Column("agency", "Agency", width=9),
    Column("people", "People whose records were touched", "int", 12),
    Column("events", "Events", "int", 8),
    Column("checks", "Checks made", "int", 8),
    Column("reads", "Records read", "int", 8),
    Column("writes", "Decisions and consents recorded", "int", 10),
    Column("usual", "Agency median people per user-day", "int", 12),
    Column("ratio", "Times the median", width=8),
    Column("flagged", "Far above usual", "bool", 8),
)


class Day:
    __slots__ = ("people", "events", "checks", "reads")

    def __init__(self):
        self.people: set[str] | int = set()
        self.events = self.checks = self.reads = 0


def _window(filters: dict):
    return and_(
        AuditEvent.subject_hash.is_not(None),
        AuditEvent.actor_id.is_not(None),
        *in_days(AuditEvent.at, filters),
    )


def _user_days(filters: dict) -> dict[tuple[date, int], Day]:
    """Counters per (UK day, user); only the last two days keep their sets of people."""
    open_days: dict[tuple[date, int], Day] = defaultdict(Day)
    closed: dict[tuple[date, int], Day] = {}
    latest = None
    for event in iter_events(_window(filters)):
        day = event.at.astimezone(UK).date()
        if latest is None or day > latest:
            latest = day
            _close(open_days, closed, before=day - timedelta(days=1))
        counts = open_days[day, event.actor_id]
        counts.people.add(event.subject_hash)
        counts.events += 1
        counts.checks += event.action in CHECKS
        counts.reads += event.action in READS
    _close(open_days, closed, before=None)
    return closed


def _close(open_days: dict, closed: dict, before: date | None) -> None:
    """Move finished days to `closed`, their sets of people swapped for their sizes."""
    for key in [key for key in open_days if before is None or key[0] < before]:
        counts = open_days.pop(key)
        counts.people = len(counts.people)
        if key in closed:  # an event whose clock lagged the chain's order by a day
            earlier = closed[key]
            counts.people += earlier.people
            counts.events += earlier.events
            counts.checks += earlier.checks
            counts.reads += earlier.reads
        closed[key] = counts


def _users() -> dict[int, tuple]:
    query = select(User.id, User.name, User.email, User.role, User.agency_id, Agency.code)
    rows = db.session.execute(query.outerjoin(Agency, Agency.id == User.agency_id))
    return {row.id: row for row in rows}


def access_rows(filters: dict, viewer: Viewer) -> Iterator[dict]:
    days, users = _user_days(filters), _users()
    groups = defaultdict(list)
    for (_, actor_id), counts in days.items():
        groups[_group(users[actor_id])].append(counts.people)
    usual = {group: median(volumes) for group, volumes in groups.items()}
    for (day, actor_id), counts in sorted(days.items(), key=lambda i: (i[0][0], i[0][1])):
        user = users[actor_id]
        if filters.get("agency") and user.code != filters["agency"]:
            continue
        norm = usual[_group(user)]
        yield {
            "day": day,
            "user": user.name,
            "email": user.email,
            "role": user.role,
            "agency": user.code,
            "people": counts.people,
            "events": counts.events,
            "checks": counts.checks,
            "reads": counts.reads,
            "writes": counts.events - counts.checks - counts.reads,
            "usual": round(norm),
            "ratio": f"{counts.people / norm:.1f}",
            "flagged": counts.people > FAR_ABOVE * norm and counts.people >= FLAG_MINIMUM,
        }


def _group(user) -> str:
    return f"agency:{user.agency_id}" if user.agency_id else f"role:{user.role}"
