"""The whole journey in a real browser, with axe-core on every page and a screenshot of each.

A lead drafts an agreement and signs it, the other party's lead signs it, a practitioner
records a refusal, checks a share, sees the outcome and records the decision with a
justification, and an auditor finds that decision in the log.
"""

import re
from datetime import timedelta

from playwright.sync_api import expect

from registry.clock import today_uk
from tests.helpers import PASSWORD

SUBJECT = "WEB 000 0001"


def sign_in(page, server, key, audit_page=None):
    page.goto(f"{server}/sign-in")
    if audit_page:
        audit_page(page, "sign-in")
    page.get_by_label("Email address").fill(f"{key}@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="What needs your attention")).to_be_visible()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="You have signed out")).to_be_visible()


def fill_date(page, field, day):
    page.locator(f"#{field}-day").fill(str(day.day))
    page.locator(f"#{field}-month").fill(str(day.month))
    page.locator(f"#{field}-year").fill(str(day.year))


def draft_agreement(page, server, audit_page):
    page.goto(f"{server}/agreements/new")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    audit_page(page, "draft-errors")
    page.get_by_label("Reference", exact=True).fill("ISA-WEB-1")
    page.get_by_label("Title", exact=True).fill("Children's safeguarding between CSC and police")
    for legend in ("Which agencies provide information?", "Which agencies receive information?"):
        group = page.get_by_role("group", name=legend)
        group.get_by_label("Children's Services").check()
        group.get_by_label("Police").check()
    page.get_by_role("group", name="Purposes").get_by_label(
        "Safeguarding and promoting the welfare of children"
    ).check()
    info = page.get_by_role("group", name="Information that may be shared")
    info.get_by_label("Identity and contact details").check()
    info.get_by_label("Social care records").check()
    page.get_by_label("Public task: Article 6(1)(e)").check()
    page.get_by_label("Statutory gateways (optional)").fill("Children Act 1989 s47")
    page.get_by_role("group", name="Does sharing need the person's consent?").get_by_label(
        "Yes, only share with a recorded consent"
    ).check()
    page.get_by_role("group", name=re.compile("risk of significant harm override")).get_by_label(
        "Yes"
    ).check()
    fill_date(page, "effective_from", today_uk())
    fill_date(page, "review_date", today_uk() + timedelta(days=365))
    audit_page(page, "draft-form")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft ISA-WEB-1 was saved")).to_be_visible()
    audit_page(page, "draft-saved")


def sign(page, server, audit_page, name):
    page.goto(f"{server}/agreements/ISA-WEB-1")
    page.get_by_role("link", name=re.compile("^Sign for")).click()
    audit_page(page, f"sign-confirm-{name}")
    page.get_by_role("button", name="Sign the agreement").click()
    expect(page.get_by_text("You signed ISA-WEB-1")).to_be_visible()


def record_refusal(page, server, audit_page):
    page.get_by_role("link", name="Consent", exact=True).click()
    audit_page(page, "consent-find")
    page.get_by_label("The person's identifier").fill(SUBJECT)
    page.get_by_role("button", name="Find records").click()
    expect(page.get_by_text("There are no consent records")).to_be_visible()
    assert "WEB" not in page.url
    audit_page(page, "consent-history-empty")
    page.get_by_role("button", name="Record a consent, refusal or withdrawal").click()
    expect(page.get_by_label("The person's identifier")).to_have_value(SUBJECT)
    page.get_by_label("They refused consent").check()
    page.get_by_label("A parent").check()
    page.get_by_label("Verbal").check()
    audit_page(page, "consent-record")
    page.get_by_role("button", name="Save the record").click()
    expect(page.get_by_text("Consent refused was recorded")).to_be_visible()
    audit_page(page, "consent-history")


def check_share(page, server, audit_page):
    page.get_by_role("link", name="Check a share").first.click()
    expect(page.get_by_label("Agency holding the information")).to_have_value("CSC")
    page.get_by_label("Agency that would receive it").select_option("POL")
    page.get_by_label("The person's identifier").fill(SUBJECT)
    page.get_by_label("Safeguarding and promoting the welfare of children").check()
    page.get_by_label("Social care records").check()
    page.get_by_label(re.compile("Yes, I believe")).check()
    audit_page(page, "check-form")
    page.get_by_role("button", name="Check").click()
    expect(
        page.get_by_role("heading", level=1, name="Share only with a recorded justification")
    ).to_be_visible()
    expect(page.get_by_text("ISA-WEB-1", exact=True)).to_be_visible()
    expect(page.get_by_text("UK GDPR Article 6(1)(e)")).to_be_visible()
    audit_page(page, "check-result")


def record_decision(page, audit_page):
    page.get_by_label("Yes, I shared it").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    audit_page(page, "decision-errors")
    page.get_by_label("If you shared it, why?").fill(
        "Police needed the care history for a strategy discussion about immediate risk."
    )
    page.get_by_label("Seeking consent would put the person's protection at risk").check()
    page.get_by_label("How did you share it? (optional)").fill("Secure email")
    page.get_by_label("No, because telling them would increase the risk").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Your decision was recorded.")).to_be_visible()
    audit_page(page, "decision-recorded")


def test_journey(page, live_server, audit_page):
    server = live_server
    sign_in(page, server, "lead_csc", audit_page)
    audit_page(page, "start-lead")
    draft_agreement(page, server, audit_page)
    sign(page, server, audit_page, "csc")
    sign_out(page)

    sign_in(page, server, "lead_pol")
    expect(page.get_by_role("link", name=re.compile("ISA-WEB-1"))).to_be_visible()
    audit_page(page, "start-other-lead")
    sign(page, server, audit_page, "pol")
    expect(page.get_by_text("it is now in force")).to_be_visible()
    audit_page(page, "agreement-in-force")
    sign_out(page)

    sign_in(page, server, "prac_csc")
    record_refusal(page, server, audit_page)
    check_share(page, server, audit_page)
    record_decision(page, audit_page)
    sign_out(page)

    sign_in(page, server, "auditor")
    page.get_by_role("link", name="Decision log").first.click()
    page.get_by_label("Show").select_option("exceptions")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("1 check found.")).to_be_visible()
    row = page.locator("tr.app-exception")
    expect(row).to_contain_text("CSC → POL")
    expect(row).to_contain_text("strategy discussion")
    audit_page(page, "auditor-log")
    row.get_by_role("link").click()
    expect(
        page.get_by_text("Seeking consent would put the person's protection at risk")
    ).to_be_visible()
    audit_page(page, "auditor-check")
    page.goto(f"{server}/reports")
    heatmap = page.get_by_role("img", name=re.compile("Heatmap"))
    expect(heatmap).to_be_visible()
    assert page.evaluate("img => img.naturalWidth", heatmap.element_handle()) > 0
    audit_page(page, "auditor-reports")
