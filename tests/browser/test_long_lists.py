"""In a real browser: long lists of agencies search as you type, under the real CSP."""

import re

from playwright.sync_api import expect

from registry.web import forms
from tests.helpers import PASSWORD


def _sign_in(page, server, user: str = "prac_csc") -> None:
    page.goto(f"{server}/sign-in")
    page.get_by_label("Email address").fill(f"{user}@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _under_the_real_policy(browser):
    """A new context without bypass_csp (the finder's matches come by fetch()), its page,
    and the list the page's console errors and uncaught exceptions are added to."""
    context = browser.new_context()
    page = context.new_page()
    problems = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.on("pageerror", lambda err: problems.append(str(err)))
    return context, page, problems


def _choose(page, box, typed: str, option: str) -> None:
    box.fill(typed)
    page.get_by_role("listbox").get_by_role("option", name=option).click()


def _answer_the_rest_and_check(page, identifier: str) -> None:
    """Answer the check form's questions after the agencies, and send it."""
    page.get_by_label("The person's identifier").fill(identifier)
    page.get_by_label("Safeguarding and promoting the welfare of children").check()
    page.get_by_label("Social care records").check()
    page.get_by_label(re.compile("Yes, I believe")).check()
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Check a share")


def test_the_recipient_searches_as_you_type(browser, live_server, monkeypatch):
    monkeypatch.setattr(forms, "LONG_AGENCY_LIST", 5)  # the world's six agencies are "long"
    context, page, problems = _under_the_real_policy(browser)
    _sign_in(page, live_server)
    page.goto(f"{live_server}/checks/new")
    recipient = page.get_by_label("Agency that would receive it")
    expect(recipient).to_have_attribute("role", "combobox")
    expect(recipient).to_have_value("")
    _choose(page, recipient, "pol", "Police")
    expect(page.locator("#recipient-select")).to_have_value("POL")
    _answer_the_rest_and_check(page, "WEB 000 0002")
    expect(page.get_by_text("Police").first).to_be_visible()
    assert "/checks/" in page.url and not page.url.endswith("/new")
    assert not problems, problems
    context.close()


def test_the_searchable_list_passes_axe(page, live_server, audit_page, monkeypatch):
    monkeypatch.setattr(forms, "LONG_AGENCY_LIST", 5)
    _sign_in(page, live_server)
    page.goto(f"{live_server}/checks/new")
    page.get_by_label("Agency that would receive it").fill("po")
    expect(page.get_by_role("listbox").get_by_role("option", name="Police")).to_be_visible()
    audit_page(page, "recipient-autocomplete")


def test_a_text_area_of_codes_adds_an_agency_found_by_name(browser, live_server, monkeypatch):
    monkeypatch.setattr(forms, "LONG_AGENCY_LIST", 5)
    context, page, problems = _under_the_real_policy(browser)
    _sign_in(page, live_server, "lead_csc")
    page.goto(f"{live_server}/agreements/new")
    providers = page.get_by_role("textbox", name="Which agencies provide information?")
    providers.fill("CSC")
    finder = page.get_by_role(
        "combobox", name=re.compile("Add an agency by name to .Which agencies provide")
    )
    _choose(page, finder, "poli", "Police (POL)")
    expect(providers).to_have_value("CSC\nPOL")
    expect(page.get_by_text("Added Police (POL).")).to_be_visible()
    expect(finder).to_have_value("")
    _choose(page, finder, "poli", "Police (POL)")
    expect(providers).to_have_value("CSC\nPOL")
    expect(page.get_by_text("Police (POL) is already in the list.")).to_be_visible()
    finder.fill("zzz")
    expect(page.get_by_role("listbox").get_by_text("No agency found")).to_be_visible()
    assert not problems, problems
    context.close()


def test_the_agency_finder_passes_axe(page, live_server, audit_page, monkeypatch):
    monkeypatch.setattr(forms, "LONG_AGENCY_LIST", 5)
    _sign_in(page, live_server, "prac_csc")
    page.goto(f"{live_server}/consent/record")
    page.get_by_text("Limit it to some agreements").click()
    page.get_by_role("combobox", name=re.compile("Add an agency by name")).fill("nhs")
    expect(
        page.get_by_role("listbox").get_by_role("option", name="NHS Trust (NHS)")
    ).to_be_visible()
    audit_page(page, "agency-finder")


def test_a_box_for_one_agencys_code_is_filled_by_the_finder(browser, live_server, monkeypatch):
    monkeypatch.setattr(forms, "AGENCY_SELECT_MAX", 5)  # past it, one agency is a typed code
    context, page, problems = _under_the_real_policy(browser)
    _sign_in(page, live_server)
    page.goto(f"{live_server}/checks/new")
    recipient = page.get_by_role("textbox", name="Agency that would receive it")
    finder = page.get_by_role(
        "combobox", name=re.compile("Find the agency by name for .Agency that would receive it")
    )
    _choose(page, finder, "poli", "Police (POL)")
    expect(recipient).to_have_value("POL")
    expect(page.get_by_text("Chose Police (POL).")).to_be_visible()
    _choose(page, finder, "nhs", "NHS Trust (NHS)")
    expect(recipient).to_have_value("NHS")  # a second choice replaces the first
    _answer_the_rest_and_check(page, "WEB 000 0003")
    expect(page.get_by_text("NHS Trust").first).to_be_visible()
    assert not problems, problems
    context.close()


def test_a_lists_agency_filter_with_its_finder_passes_axe(
    page, live_server, audit_page, monkeypatch
):
    monkeypatch.setattr(forms, "AGENCY_SELECT_MAX", 5)
    _sign_in(page, live_server, "auditor")
    page.goto(f"{live_server}/decisions")
    page.get_by_role("combobox", name=re.compile("Find the agency by name")).fill("pol")
    page.get_by_role("listbox").get_by_role("option", name="Police (POL)").click()
    expect(page.get_by_role("textbox", name="Agency")).to_have_value("POL")
    audit_page(page, "agency-filter-finder")
