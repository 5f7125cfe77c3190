"""In a real browser: the pages' CSP lets their own scripts run and blocks nothing of theirs."""

import re

from playwright.sync_api import expect

from tests.helpers import PASSWORD


def test_csp_allows_the_pages_own_scripts(browser, live_server, audit_page):
    context = browser.new_context()  # no bypass_csp: the real policy applies
    page = context.new_page()
    problems = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.on("pageerror", lambda err: problems.append(str(err)))
    page.goto(f"{live_server}/sign-in")
    # The GOV.UK Frontend module (an external script) ran: it marks the body.
    expect(page.locator("body.govuk-frontend-supported")).to_have_count(1)
    page.get_by_label("Email address").fill("auditor@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/audit-trail/verify")
    expect(page.get_by_text("The audit trail is intact")).to_be_visible()
    assert not problems, problems
    context.close()


def test_pages_work_without_javascript(browser, live_server, audit_page):
    context = browser.new_context(java_script_enabled=False, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email address").fill("prac_csc@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/checks/new")
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    context.close()


def test_pages_ask_for_no_file_they_do_not_serve(browser, live_server):
    """GOV.UK Frontend's CSS names its GDS Transport font files, which the registry does not
    serve (it is not a GOV.UK service): no element, pseudo-elements included, may use it."""
    context = browser.new_context()
    page = context.new_page()
    missing = []
    page.on("response", lambda r: r.status >= 400 and missing.append(f"{r.status} {r.url}"))
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email address").fill("prac_csc@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/checks/new")
    page.get_by_label("Agency that would receive it").select_option("POL")
    page.get_by_label("The person's identifier").fill("WEB 000 0003")
    page.get_by_label("Safeguarding and promoting the welfare of children").check()
    page.get_by_label("Social care records").check()
    page.get_by_label(re.compile("Yes, I believe")).check()
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Check a share")
    for path in ("/", "/decisions", "/agreements", "/consent", "/consent/record"):
        page.goto(f"{live_server}{path}")
        page.evaluate("document.fonts.ready.then(() => true)")
    page.go_back()
    page.evaluate("document.fonts.ready.then(() => true)")
    assert missing == []
    context.close()
