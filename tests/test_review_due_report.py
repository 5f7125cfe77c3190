"""The review-due list, read as plain rows a page at a time, says what the agreements say."""

from datetime import timedelta

from sqlalchemy import select

from registry.clock import UK, today_uk
from registry.extensions import db
from registry.models import Agreement, Role, User
from registry.presenters import agreement_status
from registry.reports.agreements import DRAFT_WAIT, review_due_rows
from registry.reports.base import BATCH, Viewer
from tests.helpers import agreements_involving, generate_registry

AGREEMENTS = BATCH + 50  # more than one page
WITHIN_DAYS = 400


def _contacts() -> dict[int, list[str]]:
    leads = db.session.scalars(
        select(User).where(User.role == Role.AGENCY_LEAD, User.active.is_(True)).order_by(User.name)
    )
    contacts: dict[int, list[str]] = {}
    for lead in leads:
        contacts.setdefault(lead.agency_id, []).append(f"{lead.name} <{lead.email}>")
    return contacts


def _due(agreement: Agreement, today, horizon) -> list[tuple]:
    """What is due on the agreement, from its ORM objects: (reason, due on, agencies)."""
    status, current = agreement_status(agreement, today), agreement.current_version
    parties = [p.agency for p in current.parties] if current else []
    due = []
    if status == "expired":
        due.append(("expired", current.expires_on, parties))
    elif status in ("active", "suspended"):
        if current.review_date and current.review_date <= horizon:
            reason = "review_overdue" if current.review_date < today else "review_due"
            due.append((reason, current.review_date, parties))
        if current.expires_on and current.expires_on <= horizon:
            due.append(("expires_soon", current.expires_on, parties))
    pending = agreement.pending_version
    if status != "terminated" and pending is not None:
        drafted = pending.created_at.astimezone(UK).date()
        signed = {signature.agency_id for signature in pending.signatures}
        if drafted <= today - DRAFT_WAIT:
            waiting = [p.agency for p in pending.parties if p.agency_id not in signed]
            due.append(("awaiting_signatures", drafted, waiting))
    return due


def _expected(agreements) -> list[tuple]:
    today = today_uk()
    horizon, contacts = today + timedelta(days=WITHIN_DAYS), _contacts()
    expected = []
    for agreement in agreements:
        for reason, due_on, agencies in _due(agreement, today, horizon):
            agencies = sorted(agencies, key=lambda agency: agency.code)
            expected.append(
                (
                    agreement.reference,
                    agreement.latest_version.title,
                    agreement_status(agreement, today),
                    reason,
                    due_on,
                    (due_on - today).days,
                    [a.code for a in agencies],
                    [c for a in agencies for c in contacts.get(a.id, [])],
                )
            )
    return expected


def _actual(viewer: Viewer) -> list[tuple]:
    rows = review_due_rows({"within_days": WITHIN_DAYS}, viewer)
    keys = ("reference", "title", "status", "reason", "due_on", "days_left", "must_act")
    return [tuple(row[key] for key in keys) + (row["contacts"],) for row in rows]


def test_every_task_matches_its_agreement_across_pages(app, runner):
    generate_registry(runner, AGREEMENTS)
    with app.app_context():
        actual = _actual(Viewer.operator())
        agreements = db.session.scalars(select(Agreement).order_by(Agreement.reference)).all()
        assert actual == _expected(agreements)
    # The generated register has every kind of task, and tasks past the first page.
    assert {task[3] for task in actual} == {
        "expired",
        "review_overdue",
        "review_due",
        "expires_soon",
        "awaiting_signatures",
    }
    assert any(task[0] > agreements[BATCH].reference for task in actual)
    assert all(task[7] for task in actual if task[6])  # the leads are named


def test_a_lead_sees_only_their_agencys_agreements(app, runner):
    generate_registry(runner, AGREEMENTS)
    with app.app_context():
        lead = db.session.scalar(select(User).where(User.role == Role.AGENCY_LEAD).limit(1))
        theirs = agreements_involving(lead.agency_id)
        actual = _actual(Viewer.of(lead))
        assert actual and actual == _expected(theirs)
