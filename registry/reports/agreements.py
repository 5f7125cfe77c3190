"""The agreement register and the review-due list, one row dict per agreement (or per task)."""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from operator import attrgetter

from sqlalchemy import Row, func, select

from registry.clock import UK, today_uk
from registry.domain import vocabulary as vocab
from registry.extensions import db
from registry.models import (
    Agency,
    Agreement,
    AgreementParty,
    AgreementVersion,
    Role,
    Signature,
    User,
)
from registry.presenters import status_of
from registry.queries import filter_agreements
from registry.reports.base import Column, Viewer, keyset, pages

#: A draft waiting longer than this for signatures appears in the review-due report.
DRAFT_WAIT = timedelta(days=30)
#: The most agreements a PDF register holds. reportlab lays out the whole table in memory:
#: 1,000 agreements take 5.4 s and 222 MB at peak, 2,000 take 11 s and 335 MB.
PDF_AGREEMENTS = 1_000

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


def marked_category(code: str) -> str:
    category = vocab.DATA_CATEGORIES.get(code)
    if category is not None and category.special_category:
        return f"{code} (special category)"
    if category is not None and category.criminal_offence:
        return f"{code} (criminal offence)"
    return code


#: The shown version's columns the register prints as they are.
REGISTER_TERMS = (
    "title",
    "purposes",
    "article6",
    "article9",
    "schedule1",
    "article10",
    "statutory_gateways",
    "consent_required",
    "safeguarding_override",
    "effective_from",
    "review_date",
    "expires_on",
    "dpia_reference",
)
_REGISTER_COLUMNS = (
    Agreement.id.label("agreement_id"),
    Agreement.reference,
    Agreement.state,
    Agreement.current_version_id,
    AgreementVersion.id.label("version_id"),
    AgreementVersion.number,
    AgreementVersion.data_categories,
    *(getattr(AgreementVersion, field) for field in REGISTER_TERMS),
)


def register_rows(filters: dict, viewer: Viewer) -> Iterator[dict]:
    """One row per agreement, built from plain rows read a page at a time.

    Loading each agreement with every version, party and signature as ORM objects cost about
    1 ms a row, a minute for a national register (docs/performance.md, item 30). This reads
    the shown version's columns, its parties and signatures, and each version's number only.
    """
    today = today_uk()
    query = filter_agreements(select(*_REGISTER_COLUMNS).select_from(Agreement), filters, viewer)
    for page in pages(keyset(query, Agreement.reference)):
        version_ids = [row.version_id for row in page]
        parties, signatories = _parties(version_ids), _signatories(version_ids)
        latest = _latest_versions([row.agreement_id for row in page])
        for row in page:
            in_force, newest = row.current_version_id is not None, latest[row.agreement_id]
            yield {
                "reference": row.reference,
                "status": status_of(row.state, row.expires_on if in_force else None, today),
                "version": row.number if in_force else None,
                "pending_version": newest.number if newest.activated_on is None else None,
                "parties": [f"{p.code} ({p.role})" for p in parties[row.version_id]],
                "data_categories": [marked_category(c) for c in row.data_categories],
                "signatories": signatories[row.version_id],
                **{field: getattr(row, field) for field in REGISTER_TERMS},
            }


def register_oversize(filters: dict, viewer: Viewer) -> str | None:
    """Why a PDF cannot hold the agreements the filters select, or None (any other format)."""
    if filters["format"] != "pdf":
        return None
    selected = filter_agreements(
        select(Agreement.id).select_from(Agreement), filters, viewer, with_version=False
    )
    # Counted only as far as the limit: the reports page asks this on every load, and a
    # national registry's 300,000 agreements took 0.2-0.6 s to count whole.
    first = selected.order_by(None).limit(PDF_AGREEMENTS + 1).subquery()
    if db.session.scalar(select(func.count()).select_from(first)) <= PDF_AGREEMENTS:
        return None
    return (
        f"A PDF register holds at most {PDF_AGREEMENTS:,} agreements, and these filters select "
        "more. Filter by agency or status, or choose csv or xlsx."
    )


def _parties(version_ids: Iterable[int]) -> defaultdict[int, list[Row]]:
    """Each version's parties (agency_id, code, role), in the order they were added."""
    parties = defaultdict(list)
    for party in db.session.execute(
        select(
            AgreementParty.version_id,
            AgreementParty.agency_id,
            Agency.code,
            AgreementParty.role,
        )
        .join(Agency, Agency.id == AgreementParty.agency_id)
        .where(AgreementParty.version_id.in_(version_ids))
        .order_by(AgreementParty.id)
    ):
        parties[party.version_id].append(party)
    return parties


def _signatories(version_ids: list[int]) -> defaultdict[int, list[str]]:
    """'CODE: Name, YYYY-MM-DD' (the UK day) for each signature of each version, in order."""
    signed = defaultdict(list)
    for version_id, code, name, signed_at in db.session.execute(
        select(Signature.version_id, Agency.code, User.name, Signature.signed_at)
        .join(Agency, Agency.id == Signature.agency_id)
        .join(User, User.id == Signature.signed_by_id)
        .where(Signature.version_id.in_(version_ids))
        .order_by(Signature.id)
    ):
        signed[version_id].append(f"{code}: {name}, {signed_at.astimezone(UK):%Y-%m-%d}")
    return signed


def _signing_agencies(version_ids: Iterable[int]) -> defaultdict[int, set[int]]:
    """The ids of the agencies that have signed each version."""
    signed = defaultdict(set)
    for version_id, agency_id in db.session.execute(
        select(Signature.version_id, Signature.agency_id).where(
            Signature.version_id.in_(version_ids)
        )
    ):
        signed[version_id].add(agency_id)
    return signed


def _latest_versions(agreement_ids: list[int]) -> dict[int, Row]:
    """Each agreement's newest version: id, number, title, created_at and activated_on."""
    latest = {}
    for version in db.session.execute(
        select(
            AgreementVersion.agreement_id,
            AgreementVersion.id,
            AgreementVersion.number,
            AgreementVersion.title,
            AgreementVersion.created_at,
            AgreementVersion.activated_on,
        )
        .where(AgreementVersion.agreement_id.in_(agreement_ids))
        .order_by(AgreementVersion.agreement_id, AgreementVersion.number)
    ):
        latest[version.agreement_id] = version
    return latest


#: What the review-due list reads of an agreement and its version in force (if any).
_REVIEW_COLUMNS = (
    Agreement.id.label("agreement_id"),
    Agreement.reference,
    Agreement.state,
    Agreement.current_version_id,
    AgreementVersion.review_date,
    AgreementVersion.expires_on,
)


def review_due_rows(filters: dict, viewer: Viewer) -> Iterator[dict]:
    """One row per thing due on an agreement, from plain rows read a page at a time."""
    today = today_uk()
    horizon = today + timedelta(days=filters["within_days"])
    contacts = _lead_contacts()
    query = filter_agreements(
        select(*_REVIEW_COLUMNS).select_from(Agreement), {"agency": filters.get("agency")}, viewer
    )
    for page in pages(keyset(query, Agreement.reference)):
        latest = _latest_versions([row.agreement_id for row in page])
        drafts = [version.id for version in latest.values() if version.activated_on is None]
        current = [row.current_version_id for row in page if row.current_version_id is not None]
        parties, signed = _parties(current + drafts), _signing_agencies(drafts)
        for row in page:
            newest = latest[row.agreement_id]
            status = status_of(row.state, row.expires_on if row.current_version_id else None, today)
            waiting = None
            if newest.activated_on is None:
                drafted = newest.created_at.astimezone(UK).date()
                unsigned = [p for p in parties[newest.id] if p.agency_id not in signed[newest.id]]
                waiting = (drafted, unsigned)
            due = _tasks(row, status, parties[row.current_version_id], waiting, today, horizon)
            for reason, due_on, agencies, action in due:
                agencies = sorted(agencies, key=attrgetter("code"))
                yield {
                    "reference": row.reference,
                    "title": newest.title,
                    "status": status,
                    "reason": reason,
                    "due_on": due_on,
                    "days_left": (due_on - today).days,
                    "must_act": [a.code for a in agencies],
                    "contacts": [c for a in agencies for c in contacts[a.agency_id]],
                    "action": action,
                }


def _tasks(
    current: Row, status: str, parties: list, waiting: tuple | None, today: date, horizon: date
) -> Iterator[tuple]:
    """(reason, due date, parties that must act, what to do) for each thing that is due.

    `current` holds the review and expiry dates of the version in force, `parties` its
    parties; `waiting` is (the UK day the newest version was drafted, its parties yet to
    sign) while that version awaits signatures, else None.
    """
    if status == "expired":
        yield "expired", current.expires_on, parties, "Renew the agreement or record the end."
    elif status in ("active", "suspended"):
        if current.review_date is not None and current.review_date <= horizon:
            reason = "review_overdue" if current.review_date < today else "review_due"
            yield reason, current.review_date, parties, "Review it: amend it or confirm it."
        if current.expires_on is not None and current.expires_on <= horizon:
            yield "expires_soon", current.expires_on, parties, "Renew it before it expires."
    if status != "terminated" and waiting is not None:
        drafted, unsigned = waiting
        if drafted <= today - DRAFT_WAIT:
            yield "awaiting_signatures", drafted, unsigned, "Sign the draft, or amend or drop it."


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
