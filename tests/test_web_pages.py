"""Pages: every page renders for the roles that may see it and refuses the others."""

import re

import pytest

from tests.helpers import active_agreement
from tests.test_web_auth import sign_in

ALL = ("admin", "auditor", "lead_csc", "prac_csc")
PAGES = [
    ("/", ALL),
    ("/agencies", ALL),
    ("/agencies/CSC", ALL),
    ("/agencies/new", ("admin",)),
    ("/agencies/CSC/edit", ("admin",)),
    ("/agreements", ALL),
    ("/agreements?status=active&purpose=safeguarding_children&review_due=60&q=isa", ALL),
    ("/agreements/ISA-1", ALL),
    ("/agreements/new", ("admin", "lead_csc")),
    ("/agreements/ISA-1/edit", ("admin", "lead_csc")),
    ("/agreements/ISA-1/suspend", ("admin", "lead_csc")),
    ("/agreements/ISA-1/terminate", ("admin", "lead_csc")),
    ("/consent", ("auditor", "lead_csc", "prac_csc")),
    ("/consent/record", ("lead_csc", "prac_csc")),
    ("/checks/new", ("lead_csc", "prac_csc")),
    ("/decisions", ALL),
    ("/decisions?show=exceptions&outcome=share&from=2026-01-01&to=2030-01-01", ALL),
    ("/audit-trail", ("admin", "auditor")),
    ("/audit-trail/verify", ("admin", "auditor")),
    ("/reports", ("admin", "auditor", "lead_csc")),
    ("/users", ("admin", "lead_csc")),
    ("/users/new", ("admin", "lead_csc")),
    ("/tokens", ALL),
]


@pytest.fixture
def signed_in(app, client, world):
    active_agreement(client, world)

    def as_user(key):
        browser = app.test_client()
        assert sign_in(browser, key).status_code == 302
        return browser

    return as_user


@pytest.mark.parametrize("key", ALL)
def test_page_access_by_role(signed_in, key):
    browser = signed_in(key)
    for path, allowed in PAGES:
        response = browser.get(path)
        expected = 200 if key in allowed else 403
        assert response.status_code == expected, (path, response.text[:500])
        assert "text/html" in response.content_type
        assert response.headers["Cache-Control"] == "no-store"
        if expected == 403:
            assert "You cannot do this" in response.text


def test_other_agencys_agreement_is_forbidden(signed_in):
    browser = signed_in("prac_vol")
    page = browser.get("/agreements/ISA-1")
    assert page.status_code == 403
    assert "does not involve your agency" in page.text
    assert "ISA-1" not in browser.get("/agreements").text


def test_unknown_page_is_an_html_404(signed_in):
    page = signed_in("prac_csc").get("/agreements/NOPE")
    assert page.status_code == 404
    assert "Page not found" in page.text
    assert "There is no agreement" in page.text


def test_api_errors_stay_json(client, world):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["code"] == 404


def test_start_page_by_role(app, client, world):
    from tests.helpers import agreement_payload, create_agreement

    create_agreement(client, world, agreement_payload("ISA-2", review_date="2026-12-01"))
    lead = app.test_client()
    sign_in(lead, "lead_pol")
    page = lead.get("/").text
    assert "Agreements awaiting your agency" in page and "ISA-2" in page
    prac = app.test_client()
    sign_in(prac, "prac_csc")
    page = prac.get("/").text
    assert "Your checks waiting for a recorded decision" in page
    assert "Agreements awaiting your agency" not in page
    auditor = app.test_client()
    sign_in(auditor, "auditor")
    assert "Oversight" in auditor.get("/").text


def test_admin_creates_and_edits_an_agency(signed_in):
    admin = signed_in("admin")
    bad = admin.post("/agencies/new", data={"code": "", "name": "", "sector": ""})
    assert bad.status_code == 200 and "There is a problem" in bad.text
    assert 'href="#code"' in bad.text and 'href="#sector"' in bad.text
    created = admin.post(
        "/agencies/new", data={"code": "YJS", "name": "Youth Justice", "sector": "youth_justice"}
    )
    assert created.headers["Location"] == "/agencies/YJS"
    duplicate = admin.post(
        "/agencies/new", data={"code": "YJS", "name": "Again", "sector": "youth_justice"}
    )
    assert "already exists" in duplicate.text
    edited = admin.post(
        "/agencies/YJS/edit",
        data={"name": "Youth Justice Service", "sector": "youth_justice", "active": "no"},
    )
    assert edited.status_code == 302
    page = admin.get("/agencies/YJS").text
    assert "Youth Justice Service" in page and "Deactivated" in page


def test_agency_detail_shows_users_to_its_lead_only(signed_in):
    assert "Its users" in signed_in("lead_csc").get("/agencies/CSC").text
    assert "Its users" not in signed_in("lead_pol").get("/agencies/CSC").text
    assert "Its users" not in signed_in("prac_csc").get("/agencies/CSC").text


def test_admin_creates_changes_and_deactivates_users(signed_in, world):
    admin = signed_in("admin")
    created = admin.post(
        "/users/new",
        data={
            "name": "New Person",
            "email": "new@example.org",
            "role": "practitioner",
            "agency": "CSC",
            "password": "long-enough-password",
        },
    )
    assert created.status_code == 302
    assert "new@example.org" in admin.get("/users").text
    no_agency = admin.post(
        "/users/new",
        data={
            "name": "X",
            "email": "x@example.org",
            "role": "practitioner",
            "agency": "",
            "password": "long-enough-password",
        },
    )
    assert "needs an agency" in no_agency.text
    user_id = world.users["prac_pol"]
    changed = admin.post(
        f"/users/{user_id}", data={"name": "Lead Now", "role": "agency_lead", "active": "yes"}
    )
    assert changed.status_code == 302
    assert "Lead Now" in admin.get("/users").text


def test_lead_manages_only_own_practitioners(signed_in, world):
    lead = signed_in("lead_csc")
    assert lead.get(f"/users/{world.users['prac_csc']}").status_code == 200
    assert lead.get(f"/users/{world.users['prac_pol']}").status_code == 403
    page = lead.get("/users/new").text
    assert 'value="agency_lead"' not in page and 'value="admin"' not in page


def test_tokens_are_shown_once_and_can_be_revoked(signed_in, client):
    browser = signed_in("prac_csc")
    created = browser.post("/tokens", data={"name": "Case system"})
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    import re

    token = re.search(r'id="new-token">(isr_[^<]+)<', created.text).group(1)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/agreements", headers=headers).status_code == 200
    listing = browser.get("/tokens").text
    assert token not in listing and "Case system" in listing
    token_id = re.search(r"/tokens/(\d+)/revoke", listing).group(1)
    assert signed_in("prac_pol").post(f"/tokens/{token_id}/revoke").status_code == 403
    assert browser.post(f"/tokens/{token_id}/revoke").status_code == 302
    assert client.get("/api/v1/agreements", headers=headers).status_code == 401


def test_agencies_are_listed_a_page_at_a_time_and_found_by_name_or_code(
    signed_in, app, monkeypatch
):
    from registry.web import agencies

    browser = signed_in("prac_csc")
    monkeypatch.setattr(agencies, "PER_PAGE", 4)
    first, second = browser.get("/agencies").text, browser.get("/agencies?page=2").text
    codes = re.compile(r'href="/agencies/([A-Z]+)"')
    assert len(codes.findall(first)) == 4 and len(codes.findall(second)) == 2
    assert set(codes.findall(first)).isdisjoint(codes.findall(second))
    assert "6 agencies." in first and "Page 1 of 2" in first and 'rel="next"' in first
    found = browser.get("/agencies?q=pol").text
    assert codes.findall(found) == ["POL"] and "1 agency matching “pol”." in found
    assert codes.findall(browser.get("/agencies?q=%25").text) == []  # % is not a wildcard


def test_the_audit_trail_names_who_did_each_thing(app, signed_in):
    from sqlalchemy import select

    from registry.extensions import db
    from registry.models import AuditEvent, User

    page = signed_in("auditor").get("/audit-trail").text
    shown = re.findall(
        r"<tr class=\"govuk-table__row\">\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>[^<]*</td>"
        r"\s*<td[^>]*>([^<]*)</td>",
        page,
    )
    with app.app_context():
        names = {user.id: user.name for user in db.session.scalars(select(User))}
        actors = dict(db.session.execute(select(AuditEvent.seq, AuditEvent.actor_id)).all())
    assert shown and {who for _, who in shown} >= {"Lead Csc"}
    assert all(who == names.get(actors[int(seq)], "System") for seq, who in shown)


@pytest.mark.parametrize("page", [1, 2])
@pytest.mark.parametrize("short", [0, 1])
def test_the_audit_trail_counts_only_so_far_past_its_page(app, signed_in, monkeypatch, page, short):
    """Counted up to LOG_COUNTED past the page's start: exact at the bound, "more than" past it."""
    from sqlalchemy import func, select

    from registry.extensions import db
    from registry.models import AuditEvent
    from registry.web import audit

    browser = signed_in("auditor")
    with app.app_context():
        events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    offset = (page - 1) * 2
    monkeypatch.setattr(audit, "PER_PAGE", 2)
    monkeypatch.setattr(audit, "LOG_COUNTED", events - offset - short)
    text = browser.get(f"/audit-trail?page={page}").text
    counted, pages = events - short, (events - short + 1) // 2
    if short:
        assert f"More than {counted:,} events." in text
        assert f"Page {page} of more than {pages:,}" in text
    else:
        assert f"{counted:,} events." in text and "More than" not in text
        assert f"Page {page} of {pages:,}" in text
    assert 'rel="next"' in text
    assert len(re.findall(r'<tr class="govuk-table__row">', text)) == 1 + 2  # header, 2 events
    monkeypatch.setattr(audit, "LOG_COUNTED", 1)  # counted less far than a page: still a next
    assert 'rel="next"' in browser.get(f"/audit-trail?page={page}").text


def test_the_stylesheet_asks_for_no_font_the_registry_does_not_serve(client):
    """GOV.UK Frontend's CSS is served without its GDS Transport @font-face rules (Makefile):
    the font is for GOV.UK services only, and a browser asking for it got a 404."""
    with client.get("/static/vendor/govuk/govuk-frontend.min.css") as response:
        assert response.status_code == 200
        css = response.get_data(as_text=True)
    assert ".govuk-button" in css
    assert "@font-face" not in css
    assert "/assets/fonts/" not in css
