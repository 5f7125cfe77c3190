"""Pages: draft, amend, sign, suspend, resume and terminate an agreement through the forms."""

import re
from datetime import timedelta

from registry.clock import today_uk
from tests.helpers import active_agreement
from tests.test_web_auth import sign_in


def browser(app, key):
    client = app.test_client()
    assert sign_in(client, key).status_code == 302
    return client


def date_fields(name, day) -> dict:
    return {name: [str(day.day), str(day.month), str(day.year)]}


def form_data(**overrides) -> dict:
    today = today_uk()
    data = {
        "reference": "ISA-W1",
        "title": "Web agreement",
        "providers": ["CSC", "POL"],
        "recipients": ["POL"],
        "purposes": ["safeguarding_children"],
        "data_categories": ["identity_contact", "health"],
        "article6": "public_task",
        "article9": "substantial_public_interest",
        "schedule1": "sch1_para_18",
        "article10": "",
        "statutory_gateways": "Children Act 1989 s47\nChildren Act 2004 s11",
        "consent_required": "no",
        "safeguarding_override": "yes",
        **date_fields("effective_from", today),
        **date_fields("review_date", today + timedelta(days=30)),
        "expires_on": ["", "", ""],
    }
    data.update(overrides)
    return data


def test_draft_shows_errors_the_govuk_way(app, world):
    lead = browser(app, "lead_csc")
    page = lead.post("/agreements/new", data=form_data(title="", providers=["CSC"], recipients=[]))
    assert page.status_code == 200
    assert "There is a problem" in page.text
    assert 'href="#title"' in page.text and 'href="#providers"' in page.text
    assert "Choose at least two agencies" in page.text
    assert "govuk-form-group--error" in page.text
    bad_date = lead.post(
        "/agreements/new", data=form_data(**date_fields("expires_on", today_uk()), reference="X")
    )
    # A real date the service refuses: its message is tied to the field.
    assert '<a href="#expires_on-day">Must be after effective_from.</a>' in bad_date.text
    half_date = lead.post("/agreements/new", data=form_data(review_date=["31", "2", ""]))
    assert 'href="#review_date-day"' in half_date.text


def test_lead_drafts_signs_and_other_party_brings_it_into_force(app, world):
    lead = browser(app, "lead_csc")
    created = lead.post("/agreements/new", data=form_data())
    assert created.headers["Location"] == "/agreements/ISA-W1"
    page = lead.get("/agreements/ISA-W1").text
    assert "Draft" in page and "Sign for" in page
    assert "UK GDPR Article 6(1)(e)" in page and "UK GDPR Article 9(2)(g)" in page
    assert "Schedule 1, Part 2, paragraph 18" in page
    assert "Physical health (special category)" in page
    assert "Provides and receives information" in page
    confirm = lead.get("/agreements/ISA-W1/sign")
    assert "Sign ISA-W1 for" in confirm.text
    assert lead.post("/agreements/ISA-W1/sign").status_code == 302
    again = lead.post("/agreements/ISA-W1/sign")
    assert "already signed" in again.text
    police = browser(app, "lead_pol")
    assert "ISA-W1" in police.get("/").text
    police.post("/agreements/ISA-W1/sign")
    page = police.get("/agreements/ISA-W1").text
    assert "In force" in page and "Sign for" not in page


def test_signing_an_invalid_draft_explains_why(app, world):
    lead = browser(app, "lead_csc")
    lead.post("/agreements/new", data=form_data(article9="", schedule1=""))
    page = lead.get("/agreements/ISA-W1").text
    assert "Article 9" in page  # the activation problem is shown on the draft
    refused = lead.post("/agreements/ISA-W1/sign")
    assert refused.status_code == 200
    assert "cannot come into force as drafted" in refused.text


def test_amendment_shows_what_changed(app, client, world):
    active_agreement(client, world)
    lead = browser(app, "lead_csc")
    form = lead.get("/agreements/ISA-1/edit").text
    assert 'value="public_task" checked' in form
    changed = lead.post(
        "/agreements/ISA-1/edit",
        data=form_data(
            title="Agreement ISA-1",
            providers=["CSC", "POL"],
            recipients=["CSC", "POL"],
            purposes=["safeguarding_children", "early_help"],
            data_categories=["identity_contact", "social_care", "health"],
            statutory_gateways="Children Act 1989 s47",
            **date_fields("effective_from", today_uk()),
        ),
    )
    assert changed.status_code == 302, changed.text
    page = lead.get("/agreements/ISA-1").text
    assert "Changes awaiting signatures (version 2)" in page
    assert "Purposes" in page and "start date" in page.lower()


def test_suspend_resume_terminate_with_confirmation(app, client, world):
    active_agreement(client, world)
    lead = browser(app, "lead_pol")
    confirm = lead.get("/agreements/ISA-1/suspend")
    assert "Suspend ISA-1?" in confirm.text and "nothing may be shared" in confirm.text
    missing = lead.post("/agreements/ISA-1/suspend", data={"reason": ""})
    assert "Enter the reason" in missing.text
    assert lead.post("/agreements/ISA-1/suspend", data={"reason": "Breach"}).status_code == 302
    assert "Suspended" in lead.get("/agreements/ISA-1").text
    assert lead.post("/agreements/ISA-1/resume", data={"reason": ""}).status_code == 302
    resumed_twice = lead.post("/agreements/ISA-1/resume", data={"reason": ""})
    assert "is not suspended" in resumed_twice.text
    assert lead.post("/agreements/ISA-1/terminate", data={"reason": "Done"}).status_code == 302
    page = lead.get("/agreements/ISA-1").text
    assert "Terminated" in page and "because: Done" in page


def test_practitioner_cannot_change_agreements(app, client, world):
    active_agreement(client, world)
    prac = browser(app, "prac_csc")
    assert prac.post("/agreements/ISA-1/terminate", data={"reason": "x"}).status_code == 403
    assert prac.post("/agreements/new", data=form_data()).status_code == 403


def test_list_filters_and_search(app, client, world):
    active_agreement(client, world)
    lead = browser(app, "lead_csc")
    lead.post("/agreements/new", data=form_data(title="Second one"))
    listing = lead.get("/agreements").text
    assert "ISA-1" in listing and "ISA-W1" in listing
    drafts = lead.get("/agreements?status=draft").text
    assert "ISA-W1" in drafts and "ISA-1<" not in drafts
    assert "ISA-1" not in lead.get("/agreements?q=second").text
    assert "ISA-W1" in lead.get("/agreements?review_due=60").text
    due = lead.get("/agreements?review_due=30").text  # the filter alone reads the version
    listed = set(re.findall(r'href="/agreements/(ISA-[^"/]+)"', due))
    assert "ISA-W1" in listed
    assert f"{len(listed)} agreement{'' if len(listed) == 1 else 's'} found." in due
    assert "ISA-W1" not in lead.get("/agreements?agency=NHS").text
