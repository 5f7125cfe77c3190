"""Past LONG_AGENCY_LIST agencies, forms take typed codes, and selects search as you type."""

import re

import pytest
from sqlalchemy import select

from registry.extensions import db
from registry.models import Agency, ConsentRecord, ShareCheck, User
from registry.services.agencies import create_agency
from registry.web import agencies, forms
from tests.helpers import active_agreement
from tests.test_web_agreements import browser, form_data
from tests.test_web_checks import check_data, refusal, run_check


@pytest.fixture
def national(monkeypatch):
    """The world's six agencies are 'too many to tick'."""
    monkeypatch.setattr(forms, "LONG_AGENCY_LIST", 5)


def _textarea(page: str, name: str) -> str | None:
    """The text in the page's text area of this name, or None when there is none."""
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>([^<]*)</textarea>', page)
    return found.group(1) if found else None


def test_small_registries_keep_the_checkboxes(app, world):
    page = browser(app, "lead_csc").get("/agreements/new").text
    assert 'name="providers" type="checkbox"' in page
    assert _textarea(page, "providers") is None and _textarea(page, "recipients") is None


def test_the_agreement_form_takes_codes(app, world, national):
    lead = browser(app, "lead_csc")
    page = lead.get("/agreements/new").text
    assert _textarea(page, "providers") == "" and _textarea(page, "recipients") == ""
    assert 'type="checkbox" value="CSC"' not in page
    assert "one per line or separated by commas" in page
    created = lead.post(
        "/agreements/new", data=form_data(providers=" csc,\r\npol ", recipients="pol; nhs CSC")
    )
    assert created.status_code == 302, created.text
    detail = lead.get("/agreements/ISA-W1").text
    assert "Provides and receives information" in detail  # CSC and POL
    edit = lead.get("/agreements/ISA-W1/edit").text
    assert _textarea(edit, "providers").split() == ["CSC", "POL"]
    assert sorted(_textarea(edit, "recipients").split()) == ["CSC", "NHS", "POL"]


def test_unknown_codes_are_named_and_nothing_is_saved(app, world, national):
    lead = browser(app, "lead_csc")
    page = lead.post("/agreements/new", data=form_data(providers="CSC XYZ", recipients="POL, QQ"))
    assert page.status_code == 200 and "There is a problem" in page.text
    assert "Not an agency you can choose here: XYZ." in page.text
    assert "Not an agency you can choose here: QQ." in page.text
    assert 'href="#providers"' in page.text and 'href="#recipients"' in page.text
    assert _textarea(page.text, "providers") == "CSC\nXYZ"  # what was typed, tidied
    assert lead.get("/agreements/ISA-W1").status_code == 404


def test_the_consent_form_takes_recipient_codes(app, world, national):
    practitioner = browser(app, "prac_csc")
    page = practitioner.get("/consent/record").text
    assert _textarea(page, "recipients") == "" and 'type="checkbox" value="POL"' not in page
    response = practitioner.post(
        "/consent/record", data=refusal(status="granted", recipients="pol nhs")
    )
    assert "was recorded" in response.text, response.text
    with app.app_context():
        record = db.session.scalar(select(ConsentRecord))
        assert sorted(record.recipients) == ["NHS", "POL"]


def test_the_check_forms_recipient_is_marked_searchable_only_when_long(app, world, monkeypatch):
    practitioner = browser(app, "prac_csc")
    assert "data-app-autocomplete" not in practitioner.get("/checks/new").text
    monkeypatch.setattr(forms, "LONG_AGENCY_LIST", 5)
    page = practitioner.get("/checks/new").text
    assert re.search(r'<select[^>]*id="recipient"[^>]*data-app-autocomplete', page) or re.search(
        r'<select[^>]*data-app-autocomplete[^>]*id="recipient"', page
    )
    assert page.count("data-app-autocomplete") == 1  # not the provider


def test_codes_are_matched_in_any_case_to_the_agencys_own(app, world, national):
    with app.app_context():
        create_agency({"code": "vcs-local", "name": "Local Voluntary", "sector": "voluntary"}, None)
        db.session.commit()
    response = browser(app, "prac_csc").post(
        "/consent/record", data=refusal(status="granted", recipients="VCS-LOCAL, Pol")
    )
    assert "was recorded" in response.text, response.text
    with app.app_context():
        assert sorted(db.session.scalar(select(ConsentRecord)).recipients) == ["POL", "vcs-local"]


def test_a_text_area_of_codes_names_its_finder(app, world, national):
    agreement_form = browser(app, "lead_csc").get("/agreements/new").text
    for name in ("providers", "recipients"):
        assert re.search(
            rf'<textarea[^>]*name="{name}"[^>]*data-app-agency-lookup="/agencies/_lookup\?active=1"',
            agreement_form,
        ) or re.search(
            rf'<textarea[^>]*data-app-agency-lookup="/agencies/_lookup\?active=1"[^>]*name="{name}"',
            agreement_form,
        )
    consent_form = browser(app, "prac_csc").get("/consent/record").text
    assert 'data-app-agency-lookup="/agencies/_lookup"' in consent_form  # inactive ones too


def _lookup(client, **args):
    return client.get("/agencies/_lookup", query_string=args)


def test_the_finder_matches_names_and_codes(app, world):
    practitioner = browser(app, "prac_csc")
    assert _lookup(practitioner, q="pol").json == [
        {"code": "POL", "name": "Police", "active": True}
    ]
    assert [a["code"] for a in _lookup(practitioner, q="  ch ").json] == ["SCH", "CSC", "VOL"]
    assert _lookup(practitioner, q="%").json == []  # a wildcard is taken literally


def test_the_finder_offers_only_active_agencies_when_asked(app, world):
    with app.app_context():
        db.session.scalar(select(Agency).where(Agency.code == "POL")).active = False
        db.session.commit()
    practitioner = browser(app, "prac_csc")
    assert _lookup(practitioner, q="police").json[0]["active"] is False
    assert _lookup(practitioner, q="police", active="1").json == []


def test_the_finder_offers_a_few_matches(app, world, monkeypatch):
    monkeypatch.setattr(agencies, "LOOKUP_MATCHES", 2)
    assert len(_lookup(browser(app, "prac_csc"), q="c").json) == 2


def test_the_finder_needs_a_search_and_a_signed_in_user(app, world):
    response = _lookup(browser(app, "prac_csc"), q=" ")
    assert response.status_code == 400
    hint = {"errors": {"q": ["Enter part of an agency's name or code."]}}
    assert response.json == hint
    assert _lookup(browser(app, "prac_csc")).json == hint
    assert "Longer than maximum length 100" in _lookup(browser(app, "prac_csc"), q="x" * 101).text
    assert _lookup(app.test_client(), q="pol").status_code in (302, 401)


# --- past AGENCY_SELECT_MAX: one agency is typed as its code -------------------------------


@pytest.fixture
def every_agency_in_england(monkeypatch):
    """The world's six agencies are too many for a select of one."""
    monkeypatch.setattr(forms, "AGENCY_SELECT_MAX", 5)


def _field(page: str, name: str) -> str:
    """The opening tag of the page's input or select of this name."""
    return re.search(rf'<(?:input|select)[^>]*name="{name}"[^>]*>', page).group(0)


def test_the_check_form_offers_only_the_checkers_own_agency_as_provider(app, world):
    page = browser(app, "prac_csc").get("/checks/new").text
    provider = page[page.index('name="provider"') : page.index("</select>")]
    assert re.findall(r'<option value="([^"]*)"', provider) == ["CSC"]


def test_past_the_select_limit_the_check_form_takes_the_recipients_code(
    app, world, every_agency_in_england
):
    practitioner = browser(app, "prac_csc")
    page = practitioner.get("/checks/new").text
    recipient = _field(page, "recipient")
    assert recipient.startswith("<input")
    assert 'data-app-agency-lookup="/agencies/_lookup"' in recipient
    assert page.count("<option") == 1  # the provider, the practitioner's own agency
    check_id = run_check(practitioner, recipient=" pol ")
    with app.app_context():
        assert db.session.get(ShareCheck, check_id).recipient.code == "POL"
    unknown = practitioner.post("/checks/new", data=check_data(recipient="XYZ"))
    assert "No agency you can choose here has the code XYZ." in unknown.text
    assert 'href="#recipient"' in unknown.text
    assert 'value="XYZ"' in _field(unknown.text, "recipient")
    missing = practitioner.post("/checks/new", data=check_data(recipient=""))
    assert "Choose the agency that would receive the information" in missing.text


def test_past_the_select_limit_an_admin_types_a_new_users_agency(
    app, world, every_agency_in_england
):
    admin = browser(app, "admin")
    assert _field(admin.get("/users/new").text, "agency").startswith("<input")

    def create(email, role, agency):
        data = {"name": "New Person", "email": email, "role": role, "agency": agency}
        return admin.post("/users/new", data=data | {"password": "long-enough-password"})

    assert create("typed@example.org", "practitioner", "nhs").status_code == 302
    assert create("auditor2@example.org", "auditor", "").status_code == 302
    unknown = create("unknown@example.org", "practitioner", "NOPE")
    assert "No agency you can choose here has the code NOPE." in unknown.text
    with app.app_context():
        users = {u.email: u for u in db.session.scalars(select(User))}
        assert users["typed@example.org"].agency.code == "NHS"
        assert users["auditor2@example.org"].agency is None
        assert "unknown@example.org" not in users
    lead_page = browser(app, "lead_csc").get("/users/new").text  # a lead's own agency only
    assert re.findall(r'<option value="([^"]*)"', lead_page.split('name="agency"')[1])[:1] == [
        "CSC"
    ]


@pytest.mark.parametrize("path", ["/agreements", "/decisions"])
def test_past_the_select_limit_lists_filter_by_a_typed_code(
    app, client, world, every_agency_in_england, path
):
    active_agreement(client, world)
    run_check(browser(app, "prac_csc"))
    admin = browser(app, "admin")
    page = admin.get(path, query_string={"agency": " pol "}).text  # any case, as in forms
    agency = _field(page, "agency")
    assert agency.startswith("<input") and 'value="POL"' in agency
    assert 'data-app-agency-lookup="/agencies/_lookup"' in agency
    assert "Police" not in page.split('name="agency"')[0]  # no list of agencies above it
    assert ("ISA-1" if path == "/agreements" else "/checks/") in page
    other = admin.get(path, query_string={"agency": "VOL"}).text
    assert ("ISA-1" if path == "/agreements" else "/checks/") not in other


def test_below_the_select_limit_lists_filter_by_a_select(app, world):
    for path in ("/agreements", "/decisions"):
        assert _field(browser(app, "admin").get(path).text, "agency").startswith("<select")
