"""In a real browser: the audit trail's integrity check, and its comparison with a kept hash."""

import re

from playwright.sync_api import expect

from tests.helpers import PASSWORD


def test_an_auditor_checks_the_trail_against_a_kept_hash(page, live_server, audit_page):
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email address").fill("auditor@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/audit-trail/verify")
    expect(page.get_by_role("heading", name="The audit trail is intact")).to_be_visible()
    kept = page.locator("p", has_text="has the hash").text_content()
    events, last_hash = re.search(r"Event (\d+) has the hash ([0-9a-f]{64})", kept).groups()
    audit_page(page, "verify")

    page.get_by_label("Event number").fill(events)
    page.get_by_role("button", name="Check against these").click()
    error = page.get_by_role("link", name="Give the last hash with the event number.")
    expect(error).to_be_visible()
    expect(page.get_by_label("Event number")).to_have_value(events)
    audit_page(page, "verify-errors")

    page.get_by_label("Its hash").fill(last_hash)
    page.get_by_role("button", name="Check against these").click()
    still = page.get_by_text(f"It still holds event {events} with the hash you kept.")
    expect(still).to_be_visible()
