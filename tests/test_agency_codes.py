"""Past LONG_AGENCY_LIST agencies, forms take typed codes, and selects search as you type."""

import re

import pytest
from sqlalchemy import select

from registry.extensions import db
from registry.models import ConsentRecord
from registry.web import forms
from tests.test_web_agreements import browser, form_data
from tests.test_web_checks import refusal


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
