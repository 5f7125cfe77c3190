"""The agreement register, read as plain rows a page at a time, says what the agreements say."""

from sqlalchemy import select

from registry.clock import UK, today_uk
from registry.extensions import db
from registry.models import Agreement, Role, User
from registry.presenters import agreement_status
from registry.reports.agreements import REGISTER_TERMS, marked_category, register_rows
from registry.reports.base import BATCH, Viewer
from tests.helpers import agreements_involving, generate_registry

AGREEMENTS = BATCH + 50  # more than one page


def _expected(agreement: Agreement) -> dict:
    """The row, from the agreement and its versions as the ORM loads them."""
    current, pending = agreement.current_version, agreement.pending_version
    shown = current or agreement.latest_version
    return {
        "reference": agreement.reference,
        "status": agreement_status(agreement, today_uk()),
        "version": current.number if current else None,
        "pending_version": pending.number if pending else None,
        "parties": [f"{p.agency.code} ({p.role})" for p in shown.parties],
        "data_categories": [marked_category(c) for c in shown.data_categories],
        "signatories": [
            f"{s.agency.code}: {s.signed_by.name}, {s.signed_at.astimezone(UK):%Y-%m-%d}"
            for s in shown.signatures
        ],
        **{field: getattr(shown, field) for field in REGISTER_TERMS},
    }


def test_every_row_matches_its_agreement_across_pages(app, runner):
    generate_registry(runner, AGREEMENTS)
    with app.app_context():
        rows = list(register_rows({}, Viewer.operator()))
        agreements = db.session.scalars(select(Agreement).order_by(Agreement.reference)).all()
        assert len(rows) == len(agreements) == AGREEMENTS
        for row, agreement in zip(rows, agreements, strict=True):
            assert row == _expected(agreement), agreement.reference
    # The generated register has every case the rows are built from.
    assert {row["status"] for row in rows} >= {"draft", "active", "expired", "terminated"}
    assert any(row["pending_version"] and row["version"] for row in rows)
    assert any(row["version"] is None for row in rows)


def test_a_lead_sees_only_their_agencys_agreements_with_the_same_rows(app, runner):
    generate_registry(runner, AGREEMENTS)
    with app.app_context():
        lead = db.session.scalar(select(User).where(User.role == Role.AGENCY_LEAD).limit(1))
        rows = list(register_rows({}, Viewer.of(lead)))
        theirs = agreements_involving(lead.agency_id)
        assert rows and [row["reference"] for row in rows] == [a.reference for a in theirs]
        assert rows == [_expected(agreement) for agreement in theirs]
