"""The start page's lists, read with bounded queries, name what the agreements say is due."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from registry.clock import today_uk
from registry.extensions import db
from registry.models import AgreementVersion, Role, ShareCheck, Signature, User
from registry.presenters import agreement_status
from registry.web import home
from tests.helpers import agreements_involving, generate_registry

PASSWORD = "generated-registry-password"


@pytest.fixture
def registry(app, runner):
    generate_registry(runner, 400, checks=2000)
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.role == Role.ADMIN).limit(1))
        # The lead of an agency that has signed a draft still waiting for others' signatures.
        signed_a_draft = (
            select(Signature.agency_id)
            .join(AgreementVersion, AgreementVersion.id == Signature.version_id)
            .where(AgreementVersion.activated_on.is_(None))
        )
        lead = db.session.scalar(
            select(User)
            .where(User.role == Role.AGENCY_LEAD, User.agency_id.in_(signed_a_draft))
            .limit(1)
        )
        return {"admin": (admin.email, None), "lead": (lead.email, lead.agency_id)}


def _page(app, email: str) -> str:
    browser = app.test_client()
    assert browser.post("/sign-in", data={"email": email, "password": PASSWORD}).status_code == 302
    response = browser.get("/")
    assert response.status_code == 200
    return response.text


def _section(page: str, heading: str) -> list[str]:
    """The agreement references linked under a heading, in order."""
    start = page.index(heading)
    end = page.find("<h2", start + 1)
    return re.findall(r'href="/agreements/([^"]+)"', page[start : end if end > 0 else None])


def _reviews_due(agency_id) -> list[str]:
    """What the page listed when it loaded every agreement: soonest review first."""
    today = today_uk()
    horizon = today + timedelta(days=home.REVIEW_WINDOW_DAYS)
    due = [
        (a.current_version.review_date, a.reference)
        for a in agreements_involving(agency_id)
        if a.current_version is not None
        and agreement_status(a, today) in ("active", "suspended")
        and a.current_version.review_date is not None
        and a.current_version.review_date <= horizon
    ]
    return [reference for _, reference in sorted(due)]


def _awaiting(agency_id) -> list[str]:
    awaiting = []
    for a in agreements_involving(agency_id):
        pending = a.pending_version
        if pending is None or a.state == "terminated":
            continue
        signed = {signature.agency_id for signature in pending.signatures}
        if any(p.agency_id == agency_id for p in pending.parties) and agency_id not in signed:
            awaiting.append(a.reference)
    return awaiting


@pytest.mark.parametrize("who", ["admin", "lead"])
def test_the_lists_are_what_the_agreements_say(app, registry, monkeypatch, who):
    monkeypatch.setattr(home, "REVIEWS_SHOWN", 10_000)
    email, agency_id = registry[who]
    page = _page(app, email)
    with app.app_context():
        reviews = _reviews_due(agency_id)
        assert _section(page, "Reviews due within") == reviews
        assert reviews
        if who == "lead":
            awaiting = _awaiting(agency_id)
            assert _section(page, "awaiting your agency") == awaiting
            assert awaiting
    assert "more." not in page


def test_a_long_list_of_reviews_shows_the_soonest_and_counts_the_rest(app, registry, monkeypatch):
    monkeypatch.setattr(home, "REVIEWS_SHOWN", 5)
    page = _page(app, registry["admin"][0])
    with app.app_context():
        reviews = _reviews_due(None)
    assert _section(page, "Reviews due within") == reviews[:5]
    assert f"And {len(reviews) - 5:,} more." in page
    assert "/reports/review-due?within_days=60" in page


@pytest.mark.parametrize("counted, says", [(0, "exactly"), (1, "more than")])
def test_past_a_bound_the_rest_are_not_counted(app, registry, monkeypatch, counted, says):
    """Counted up to MORE_COUNTED, the rest are "more than" it; at the bound, exactly."""
    with app.app_context():
        rest = len(_reviews_due(None)) - 5
    monkeypatch.setattr(home, "REVIEWS_SHOWN", 5)
    monkeypatch.setattr(home, "MORE_COUNTED", rest - counted)
    page = _page(app, registry["admin"][0])
    if says == "exactly":
        assert f"And {rest:,} more." in page
    else:
        assert f"And more than {rest - 1:,} others." in page
        assert " more." not in page


def test_a_practitioner_sees_their_own_checks_without_a_decision(app, registry):
    with app.app_context():
        checks = db.session.scalars(select(ShareCheck).order_by(ShareCheck.checked_at.desc()))
        by_person: dict[int, list[ShareCheck]] = {}
        for check in checks:
            by_person.setdefault(check.checked_by_id, []).append(check)
        busiest = max(by_person, key=lambda person: len(by_person[person]))
        email = db.session.get(User, busiest).email
        waiting = [check.id for check in by_person[busiest] if check.decision is None]
        decided = [check.id for check in by_person[busiest] if check.decision is not None]
    assert waiting and decided
    listed = [int(number) for number in re.findall(r'href="/checks/(\d+)"', _page(app, email))]
    assert listed == waiting[:50]
