"""The agreement register and the review-due list, one row dict per agreement (or per task)."""

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from operator import attrgetter

from sqlalchemy import select

from registry.clock import UK, today_uk
from registry.domain import vocabulary as vocab
from registry.extensions import db
from registry.models import Agreement, AgreementVersion, Role, User
from registry.presenters import agreement_status
from registry.queries import agreements_query
from registry.reports.base import Column, Viewer, keyset

#: A draft waiting longer than this for signatures appears in the review-due report.
DRAFT_WAIT = timedelta(days=30)

REGISTER_COLUMNS = (
    Column("reference", "Reference", width=17),
    Column("title", "Title", width=30),
    Column("status", "Status", width=13),
    Column("version", "Version in force", "int", 10),
    Column("pending_version", "Pending version", "int", 10),
    Column("parties", "Parties and roles", "list", 18),
    Column("purposes", "Purposes", "codes", 24),
    Column("data_categories", "Data categories", "list", 26),
    Column("article6", "Article 6 basis", "code", 14),
    Column("article9", "Article 9 condition", "code", 16),
    Column("schedule1", "Schedule 1 condition", "code", 12),
    Column("article10", "Article 10 basis", "code", 12),
    Column("statutory_gateways", "Statutory gateways", "list", 20),
    Column("consent_required", "Consent required", "bool", 15),
    Column("safeguarding_override", "Safeguarding override", "bool", 15),
    Column("effective_from", "Effective from", "date", 15),
    Column("review_date", "Review date", "date", 15),
    Column("expires_on", "Expires on", "date", 15),
    Column("signatories", "Signatories and dates", "list", 26),
    Column("dpia_reference", "DPIA reference", width=12),
)

REVIEW_COLUMNS = (
    Column("reference", "Reference", width=14),
    Column("title", "Title", width=30),
    Column("status", "Status", width=10),
    Column("reason", "Why it is listed", width=20),
    Column("due_on", "Due or since", "date", 15),
    Column("days_left", "Days left (negative: overdue)", "int", 10),
    Column("must_act", "Agencies that must act", "list", 16),
    Column("contacts", "Their leads", "list", 34),
    Column("action", "What to do", width=40),
)


def _agreements(filters: dict, viewer: Viewer) -> Iterator[Agreement]:
    query = agreements_query(filters, viewer)
    return keyset(query, Agreement.reference, entities=True)


def marked_category(code: str) -> str:
    category = vocab.DATA_CATEGORIES.get(code)
    if category is not None and category.special_category:
        return f"{code} (special category)"
    if category is not None and category.criminal_offence:
        return f"{code} (criminal offence)"
    return code


def register_rows(filters: dict, viewer: Viewer) -> Iterator[dict]:
    today = today_uk()
    for agreement in _agreements(filters, viewer):
        shown = agreement.current_version or agreement.latest_version
        pending = agreement.pending_version
        yield {
            "reference": agreement.reference,
            "status": agreement_status(agreement, today),
            "version": agreement.current_version.number if agreement.current_version else None,
            "pending_version": pending.number if pending is not None else None,
            "parties": [f"{p.agency.code} ({p.role})" for p in shown.parties],
            "data_categories": [marked_category(c) for c in shown.data_categories],
            "signatories": [
                f"{s.agency.code}: {s.signed_by.name}, {s.signed_at.astimezone(UK):%Y-%m-%d}"
                for s in shown.signatures
            ],
            **_terms(shown),
        }


def _terms(version: AgreementVersion) -> dict:
    fields = ("title", "purposes", "article6", "article9", "schedule1", "article10")
    fields += ("statutory_gateways", "consent_required", "safeguarding_override")
    fields += ("effective_from", "review_date", "expires_on", "dpia_reference")
    return {field: getattr(version, field) for field in fields}


def review_due_rows(filters: dict, viewer: Viewer) -> Iterator[dict]:
    today = today_uk()
    horizon = today + timedelta(days=filters["within_days"])
    contacts = _lead_contacts()
    for agreement in _agreements({"agency": filters.get("agency")}, viewer):
        status = agreement_status(agreement, today)
        for reason, due_on, agencies, action in _tasks(agreement, status, today, horizon):
            agencies = sorted(agencies, key=attrgetter("code"))
            yield {
                "reference": agreement.reference,
                "title": agreement.latest_version.title,
                "status": status,
                "reason": reason,
                "due_on": due_on,
                "days_left": (due_on - today).days,
                "must_act": [a.code for a in agencies],
                "contacts": [c for a in agencies for c in contacts[a.id]],
                "action": action,
            }


def _tasks(agreement: Agreement, status: str, today: date, horizon: date) -> Iterator[tuple]:
    """(reason, due date, agencies that must act, what to do) for each thing that is due."""
    current = agreement.current_version
    parties = [p.agency for p in current.parties] if current is not None else []
    if status == "expired":
        yield "expired", current.expires_on, parties, "Renew the agreement or record the end."
    elif status in ("active", "suspended"):
        if current.review_date is not None and current.review_date <= horizon:
            reason = "review_overdue" if current.review_date < today else "review_due"
            yield reason, current.review_date, parties, "Review it: amend it or confirm it."
        if current.expires_on is not None and current.expires_on <= horizon:
            yield "expires_soon", current.expires_on, parties, "Renew it before it expires."
    pending = agreement.pending_version
    if status != "terminated" and pending is not None:
        drafted = pending.created_at.astimezone(UK).date()
        if drafted <= today - DRAFT_WAIT:
            unsigned = pending.unsigned_party_codes()
            waiting = [p.agency for p in pending.parties if p.agency.code in unsigned]
            yield "awaiting_signatures", drafted, waiting, "Sign the draft, or amend or drop it."


def _lead_contacts() -> dict[int, list[str]]:
    """Active agency leads by agency id, as "Name <email>"."""
    leads = db.session.execute(
        select(User.agency_id, User.name, User.email)
        .where(User.role == Role.AGENCY_LEAD, User.active.is_(True))
        .order_by(User.name)
    )
    contacts = defaultdict(list)
    for agency_id, name, email in leads:
        contacts[agency_id].append(f"{name} <{email}>")
    return contacts
