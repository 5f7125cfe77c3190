"""The audit trail with its hashes, as rows (CSV/JSON); JSON Lines stays at GET /audit.

To verify the chain outside the registry, use the JSON Lines export: it carries each event
exactly as hashed (see "Verifying the audit trail outside the registry" in README.md).
"""

from collections.abc import Iterator

from sqlalchemy import and_

from registry.audit import iter_events
from registry.models import AuditEvent
from registry.queries import in_days
from registry.reports.base import Column, Viewer

COLUMNS = (
    Column("seq", "Seq", "int", 8),
    Column("at", "At (UTC)", "datetime", 26),
    Column("actor_id", "Actor id", "int", 8),
    Column("action", "Action", width=18),
    Column("target_type", "Target type", width=12),
    Column("target_id", "Target id", width=14),
    Column("subject_hash", "Subject hash", width=20),
    Column("details", "Details", "json", 40),
    Column("prev_hash", "Previous hash", width=20),
    Column("hash", "Hash", width=20),
)


def audit_rows(filters: dict, viewer: Viewer) -> Iterator[dict]:
    conditions = in_days(AuditEvent.at, filters)
    for event in iter_events(and_(*conditions) if conditions else None):
        yield event._asdict()
