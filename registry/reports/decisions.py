"""The decision log: every check with the decision recorded on it, exceptions flagged.

Exceptions an auditor looks at:
- shared after `do_not_share`: an emergency share outside any agreement;
- shared after an override: the answer carried SAFEGUARDING_OVERRIDE or URGENT_SAFEGUARDING;
- no decision in time: nothing recorded by the end of the next working day after the check
  (see `workdays.py`); a check still waiting whose deadline has not passed is not flagged.

Rows come in the order the checks were made (check id), read in batches of plain columns.
"""

from collections.abc import Iterator

from sqlalchemy import Select, and_, or_, select, true
from sqlalchemy.orm import aliased

from registry.models import Agency, ShareCheck, ShareDecision, User
from registry.models.base import utcnow
from registry.queries import in_days
from registry.reports.base import Column, Viewer, keyset
from registry.reports.workdays import decision_due, end_of

OVERRIDE_CODES = frozenset({"SAFEGUARDING_OVERRIDE", "URGENT_SAFEGUARDING"})

COLUMNS = (
    Column("check_id", "Check", "int", 8),
    Column("checked_at", "Checked at (UTC)", "datetime", 19),
    Column("share_date", "Share date", "date", 11),
    Column("provider", "Provider", width=9),
    Column("recipient", "Recipient", width=9),
    Column("checked_by", "Checked by", width=18),
    Column("purpose", "Purpose", "code", 22),
    Column("data_categories", "Data categories", "codes", 22),
    Column("risk_of_harm", "Risk of harm", "bool", 7),
    Column("outcome", "Outcome", "code", 16),
    Column("reasons", "Reasons", "codes", 26),
    Column("agreement", "Agreement", width=14),
    Column("agreement_version", "Agreement version", "int", 8),
    Column("requires_justification", "Justification required", "bool", 9),
    Column("shared", "Shared", "bool", 7),
    Column("decided_at", "Decision recorded at (UTC)", "datetime", 19),
    Column("decided_by", "Decision recorded by", width=18),
    Column("justification", "Justification", width=40),
    Column("no_consent_reason", "Why no consent", "code", 16),
    Column("information_shared", "Information shared", width=30),
    Column("method", "Method", width=14),
    Column("recipient_contact", "Recipient contact", width=18),
    Column("person_informed", "Person informed", "code", 10),
    Column("decision_due", "Decision due by end of", "date", 11),
    Column("shared_after_do_not_share", "Exception: shared after do_not_share", "bool", 12),
    Column("shared_after_override", "Exception: shared after an override", "bool", 12),
    Column("no_decision_in_time", "Exception: no decision within 1 working day", "bool", 12),
)


#: Built once: the query is rebuilt for every page, and fresh aliases each time would leave
#: reference cycles for the garbage collector (memory grew by MBs during a large export).
_ALIASES = (aliased(Agency), aliased(Agency), aliased(User), aliased(User))


def _query(after: int | None = None) -> Select:
    """Every check with its decision; only checks after the id `after` when it is given.

    The bound is repeated in the decision join: PostgreSQL otherwise merge-joins each page
    with share_decisions from its first row, so every page read every decision before it and
    a 1M-check export never finished.
    """
    provider, recipient, checker, recorder = _ALIASES
    return (
        select(
            ShareCheck.id,
            ShareCheck.checked_at,
            ShareCheck.on.label("share_date"),
            provider.code.label("provider"),
            recipient.code.label("recipient"),
            checker.name.label("checked_by"),
            ShareCheck.purpose,
            ShareCheck.data_categories,
            ShareCheck.risk_of_harm,
            ShareCheck.outcome,
            ShareCheck.reasons,
            ShareCheck.agreement_reference.label("agreement"),
            ShareCheck.agreement_version,
            ShareCheck.requires_justification,
            ShareDecision.shared,
            ShareDecision.recorded_at.label("decided_at"),
            recorder.name.label("decided_by"),
            ShareDecision.justification,
            ShareDecision.no_consent_reason,
            ShareDecision.information_shared,
            ShareDecision.method,
            ShareDecision.recipient_contact,
            ShareDecision.person_informed,
        )
        .join(provider, provider.id == ShareCheck.provider_id)
        .join(recipient, recipient.id == ShareCheck.recipient_id)
        .join(checker, checker.id == ShareCheck.checked_by_id)
        .outerjoin(
            ShareDecision,
            and_(
                ShareDecision.check_id == ShareCheck.id,
                true() if after is None else ShareDecision.check_id > after,
            ),
        )
        .outerjoin(recorder, recorder.id == ShareDecision.recorded_by_id)
    )


def _involving(agency_id):
    return or_(ShareCheck.provider_id == agency_id, ShareCheck.recipient_id == agency_id)


def _filtered(filters: dict, viewer: Viewer, after: int | None = None) -> Select:
    query = _query(after)
    if not viewer.sees_everything:
        query = query.where(_involving(viewer.agency_id))
    query = query.where(*in_days(ShareCheck.checked_at, filters))
    if filters.get("agency"):
        agency_id = select(Agency.id).where(Agency.code == filters["agency"]).scalar_subquery()
        query = query.where(_involving(agency_id))
    if filters.get("outcome"):
        query = query.where(ShareCheck.outcome == filters["outcome"])
    if filters.get("shared") is not None:
        query = query.where(ShareDecision.shared.is_(filters["shared"]))
    return query


def decision_rows(filters: dict, viewer: Viewer) -> Iterator[dict]:
    now = utcnow()
    for row in keyset(lambda after: _filtered(filters, viewer, after), ShareCheck.id):
        item = row._asdict()
        item["check_id"] = item.pop("id")
        item["reasons"] = [reason["code"] for reason in row.reasons]
        item.update(_flags(item, now))
        yield item


def _flags(item: dict, now) -> dict:
    shared = bool(item["shared"])
    due = decision_due(item["checked_at"])
    return {
        "decision_due": due,
        "shared_after_do_not_share": shared and item["outcome"] == "do_not_share",
        "shared_after_override": shared and bool(OVERRIDE_CODES & set(item["reasons"])),
        "no_decision_in_time": (item["decided_at"] or now) >= end_of(due),
    }
