"""Pages: a person's consent, checking a share, recording the decision, the auditor's pages."""

import re

from sqlalchemy import select

from registry.extensions import db
from registry.models import AuditEvent
from registry.web import audit
from tests.helpers import active_agreement
from tests.test_web_agreements import browser

SUBJECT = "943 476 5919"


def refusal(**overrides) -> dict:
    data = {
        "subject": SUBJECT,
        "status": "refused",
        "given_by": "parent",
        "method": "verbal",
        "effective_from": ["", "", ""],
        "expires_on": ["", "", ""],
        "agreement": "",
    }
    data.update(overrides)
    return data


def check_data(**overrides) -> dict:
    data = {
        "provider": "CSC",
        "recipient": "POL",
        "subject": SUBJECT,
        "purpose": "safeguarding_children",
        "data_categories": ["social_care"],
        "date": ["", "", ""],
        "risk_of_harm": "no",
    }
    data.update(overrides)
    return data


def run_check(client, **overrides) -> int:
    response = client.post("/checks/new", data=check_data(**overrides))
    assert response.status_code == 302, response.text
    return int(re.search(r"/checks/(\d+)$", response.headers["Location"]).group(1))


def test_consent_lookup_is_posted_never_in_the_url(app, world):
    prac = browser(app, "prac_csc")
    assert prac.get("/consent").status_code == 200
    empty = prac.post("/consent", data={"subject": ""})
    assert 'href="#subject"' in empty.text
    found = prac.post("/consent", data={"subject": SUBJECT})
    assert "There are no consent records" in found.text
    assert 'method="post" action="/consent/record"' in found.text
    start = prac.post("/consent/record", data={"subject": SUBJECT, "start": "1"})
    assert "There is a problem" not in start.text and SUBJECT in start.text
    missing = prac.post("/consent/record", data=refusal(status=""))
    assert "Choose what the person decided" in missing.text
    saved = prac.post("/consent/record", data=refusal())
    assert saved.status_code == 200
    assert "Consent refused was recorded" in saved.text
    assert "A parent" in saved.text and "Verbal" in saved.text
    history = browser(app, "auditor").post("/consent", data={"subject": "9434765919"})
    assert "Consent refused" in history.text
    assert browser(app, "auditor").post("/consent/record", data=refusal()).status_code == 403


def test_check_form_defaults_to_own_agency_and_validates(app, world):
    prac = browser(app, "prac_csc")
    form = prac.get("/checks/new").text
    assert re.search(r'<option value="CSC"\s+selected', form)
    same = prac.post("/checks/new", data=check_data(recipient="CSC"))
    assert "must be different from your agency" in same.text
    nothing = prac.post("/checks/new", data=check_data(data_categories=[], risk_of_harm=""))
    assert 'href="#data_categories"' in nothing.text and 'href="#risk_of_harm"' in nothing.text
    other = prac.post("/checks/new", data=check_data(provider="POL", recipient="CSC"))
    assert "only check shares from your own agency" in other.text


def test_plain_share_asks_no_justification(app, client, world):
    active_agreement(client, world)
    prac = browser(app, "prac_csc")
    check_id = run_check(prac)
    page = prac.get(f"/checks/{check_id}").text
    assert "You can share" in page and "app-outcome--share" in page
    assert 'name="justification"' not in page and 'name="no_consent_reason"' not in page
    assert "UK GDPR Article 6(1)(e)" in page
    assert prac.post(f"/checks/{check_id}", data={"shared": "yes"}).status_code == 302
    again = prac.post(f"/checks/{check_id}", data={"shared": "no"})
    assert "What you did" in again.text and "Record the decision" not in again.text


def test_override_asks_justification_and_no_consent_reason(app, client, world):
    active_agreement(client, world, consent_required=True)
    prac = browser(app, "prac_csc")
    prac.post("/consent/record", data=refusal())
    check_id = run_check(prac, risk_of_harm="yes")
    page = prac.get(f"/checks/{check_id}").text
    assert "Share only with a recorded justification" in page
    assert "Consent refused" in page
    assert 'name="justification"' in page and 'name="no_consent_reason"' in page
    refused = prac.post(f"/checks/{check_id}", data={"shared": "yes"})
    assert refused.status_code == 200
    assert 'href="#justification"' in refused.text and 'href="#no_consent_reason"' in refused.text
    done = prac.post(
        f"/checks/{check_id}",
        data={
            "shared": "yes",
            "justification": "Immediate risk to the child.",
            "no_consent_reason": "would_prejudice",
            "person_informed": "not_safe",
        },
    )
    assert done.status_code == 302
    page = prac.get(f"/checks/{check_id}").text
    assert "Immediate risk to the child." in page
    assert "Seeking consent would put the person&#39;s protection at risk" in page


def test_do_not_share_asks_justification_only(app, world):
    prac = browser(app, "prac_csc")
    check_id = run_check(prac, recipient="VOL")
    page = prac.get(f"/checks/{check_id}").text
    assert "Do not share" in page and "app-outcome--do_not_share" in page
    assert 'name="justification"' in page and 'name="no_consent_reason"' not in page
    assert prac.post(f"/checks/{check_id}", data={"shared": "no"}).status_code == 302


def test_other_agency_cannot_see_or_decide_a_check(app, client, world):
    active_agreement(client, world)
    check_id = run_check(browser(app, "prac_csc"))
    assert browser(app, "prac_pol").get(f"/checks/{check_id}").status_code == 403
    auditor = browser(app, "auditor")
    page = auditor.get(f"/checks/{check_id}").text
    assert "No decision has been recorded yet" in page
    refused = auditor.post(f"/checks/{check_id}", data={"shared": "yes"})
    assert refused.status_code == 403


def test_decision_log_highlights_exceptions(app, client, world, monkeypatch):
    active_agreement(client, world)
    prac = browser(app, "prac_csc")
    plain = run_check(prac)
    prac.post(f"/checks/{plain}", data={"shared": "yes"})
    outside = run_check(prac, recipient="VOL")
    prac.post(f"/checks/{outside}", data={"shared": "yes", "justification": "Emergency."})
    auditor = browser(app, "auditor")
    log = auditor.get("/decisions").text
    assert "2 checks found" in log
    assert log.count('class="govuk-table__row app-exception"') == 1
    exceptions = auditor.get("/decisions?show=exceptions").text
    assert "1 check found" in exceptions and "Emergency." in exceptions
    assert "1 check found" in auditor.get("/decisions?outcome=share").text
    assert "0 checks found" in auditor.get("/decisions?show=undecided").text
    assert "2 checks found" in prac.get("/decisions").text
    assert "0 checks found" in browser(app, "prac_pol").get("/decisions").text
    monkeypatch.setattr(audit, "LOG_COUNTED", 1)  # a log of millions is not counted to its end
    assert "More than 1 check found" in auditor.get("/decisions").text


def test_audit_trail_and_integrity_check(app, client, world):
    active_agreement(client, world)
    auditor = browser(app, "auditor")
    trail = auditor.get("/audit-trail").text
    assert "agreement.sign" in trail and "Verify integrity" in trail
    assert "agreement.create" in auditor.get("/audit-trail?action=agreement").text
    verify = auditor.get("/audit-trail/verify").text
    assert "The audit trail is intact" in verify
    with app.app_context():
        last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert f'Event {last.seq} has the hash <code class="app-code">{last.hash}</code>' in verify


def test_reports_link_only_what_the_api_serves(app, world):
    from registry.web.audit import available_reports

    with app.test_request_context():
        served = {r["name"] for r in available_reports()}
        rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert served == {"agreements", "review-due", "decisions", "coverage", "access"}
    assert all(f"/api/v1/reports/{name}" in rules for name in served)
    assert browser(app, "auditor").get("/reports/not-a-report").status_code == 404


def test_reports_page_downloads_and_shows_the_coverage_heatmap(app, client, world):
    active_agreement(client, world)
    auditor = browser(app, "auditor")
    page = auditor.get("/reports").text
    for name in ("agreements", "review-due", "decisions", "coverage", "access"):
        assert f"/reports/{name}?format=" in page
    assert '<img src="/reports/coverage?format=svg"' in page
    svg = auditor.get("/reports/coverage?format=svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert "<svg" in svg.text and "CSC" in svg.text
    register = auditor.get("/reports/agreements?format=csv")
    assert register.status_code == 200 and "ISA-1" in register.text
    assert browser(app, "prac_csc").get("/reports").status_code == 403


def test_reports_page_offers_only_the_formats_that_can_hold_the_registry(
    app, client, world, monkeypatch
):
    from registry.reports import agreements, coverage

    active_agreement(client, world)
    monkeypatch.setattr(coverage, "HEATMAP_AGENCIES", 5)  # the world has 6 active agencies
    monkeypatch.setattr(agreements, "PDF_AGREEMENTS", 0)
    page = browser(app, "auditor").get("/reports").text
    assert "coverage?format=svg" not in page and "agreements?format=pdf" not in page
    assert "SVG not offered: The heatmap draws at most 5 agencies, and 6 are active." in page
    assert "PDF not offered: A PDF register holds at most 0 agreements" in page
    assert "/reports/coverage?format=csv" in page and "/reports/agreements?format=xlsx" in page
    monkeypatch.setattr(coverage, "LISTED_PAIRS", 29)  # 6 active agencies make 30 pairs
    narrowed = browser(app, "auditor").get("/reports").text
    assert "CSV not offered: Every pair of the 6 active agencies would be 30 rows" in narrowed
    assert "/reports/coverage?format=csv&amp;covered=true" in narrowed
    covered = re.search(r'href="(/reports/coverage\?[^"]*covered=true[^"]*)"', page).group(1)
    rows = browser(app, "auditor").get(covered.replace("&amp;", "&")).text.splitlines()
    assert len(rows) == 3 and rows[1].startswith("CSC,") and rows[2].startswith("POL,")
