"""Report downloads through the API: every format opened and read, numbers checked."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from pypdf import PdfReader
from sqlalchemy import func, insert, select, update

from registry.clock import today_uk
from registry.extensions import db
from registry.models import AgreementVersion, AuditEvent, ShareCheck
from registry.models.base import utcnow
from registry.reports import agreements, coverage, decisions, xlsx
from tests.helpers import (
    active_agreement,
    agreement_payload,
    assert_field_errors,
    check_payload,
    create_agreement,
)

LAST_COLUMN = get_column_letter(len(decisions.COLUMNS))
INJECTED_TITLE = '=HYPERLINK("http://evil.example","click")'


def populate(client, world, app) -> dict:
    """ISA-1 in force (CSC and POL), ISA-2 a draft (NHS to SCH) with a hostile title,
    three checks by CSC: shared, shared after do_not_share, and one never decided."""
    active_agreement(client, world)
    draft = agreement_payload(
        "ISA-2",
        parties=[{"agency": "NHS", "role": "provider"}, {"agency": "SCH", "role": "recipient"}],
        title=INJECTED_TITLE,
    )
    create_agreement(client, world, draft)
    prac = world.headers("prac_csc")
    ids = {}
    for key, payload in (
        ("shared", check_payload()),
        ("emergency", check_payload(recipient="OTH")),
    ):
        response = client.post("/api/v1/checks", json=payload, headers=prac)
        ids[key] = response.json["id"]
    decide = f"/api/v1/checks/{ids['shared']}/decision"
    assert client.post(decide, json={"shared": True}, headers=prac).status_code == 201
    emergency = {"shared": True, "justification": "-1 risk to life, shared by phone"}
    decide = f"/api/v1/checks/{ids['emergency']}/decision"
    assert client.post(decide, json=emergency, headers=prac).status_code == 201
    ids["pending"] = copy_check(app, ids["shared"], checked_at=utcnow() - timedelta(days=14))
    return ids


def copy_check(app, check_id: int, **changes) -> int:
    """Insert a copy of a check (checks are append-only, so a past one is made, not moved)."""
    with app.app_context():
        table = ShareCheck.__table__
        row = db.session.execute(select(table).where(table.c.id == check_id)).one()._asdict()
        row.pop("id")
        new_id = db.session.execute(insert(table).values(**row | changes)).inserted_primary_key[0]
        db.session.commit()
        return new_id


@pytest.fixture
def registry_data(client, world, app):
    return populate(client, world, app)


def get(client, world, path, who="auditor"):
    response = client.get(f"/api/v1/reports/{path}", headers=world.headers(who))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def read_csv(response) -> list[dict]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_register_csv_has_every_agreement_and_neutralises_formulas(client, world, registry_data):
    response = get(client, world, "agreements?format=csv")
    assert response.content_type == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="agreements-{today_uk()}.csv"'
    rows = read_csv(response)
    assert [r["Reference"] for r in rows] == ["ISA-1", "ISA-2"]
    isa1, isa2 = rows
    assert isa1["Status"] == "active" and isa1["Version in force"] == "1"
    assert isa1["Parties and roles"] == "CSC (both); POL (both)"
    assert "health (special category)" in isa1["Data categories"]
    assert isa1["Article 9 condition"] == "substantial_public_interest"
    assert isa1["Effective from"] == "2026-01-01" and isa1["Consent required"] == "no"
    assert isa1["Signatories and dates"].startswith("CSC: Lead Csc, ")
    assert isa2["Title"] == "'" + INJECTED_TITLE
    assert isa2["Status"] == "draft" and isa2["Version in force"] == ""


def test_register_filters_by_status_and_agency(client, world, registry_data):
    rows = read_csv(get(client, world, "agreements?format=csv&status=active"))
    assert [r["Reference"] for r in rows] == ["ISA-1"]
    rows = read_csv(get(client, world, "agreements?format=csv&agency=NHS"))
    assert [r["Reference"] for r in rows] == ["ISA-2"]


def test_register_json_is_an_object_with_items_and_total(client, world, registry_data):
    response = get(client, world, "agreements?format=json&agency=CSC")
    assert response.content_type == "application/json"
    body = response.json
    assert body["report"] == "agreements" and body["total"] == 1
    assert body["filters"] == {"agency": "CSC"}
    assert body["generated_by"] == "Auditor <auditor@example.org>"
    item = body["items"][0]
    assert item["reference"] == "ISA-1" and item["review_date"] == "2027-01-01"
    assert item["parties"] == ["CSC (both)", "POL (both)"]
    assert item["consent_required"] is False
    assert [c["key"] for c in body["columns"]][:3] == ["reference", "title", "status"]


def test_register_xlsx_has_frozen_filtered_header_and_real_dates(client, world, registry_data):
    response = get(client, world, "agreements?format=xlsx")
    assert response.content_type.startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:T3"
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Reference", "Title", "Status"]
    effective = sheet.cell(row=2, column=header.index("Effective from") + 1)
    assert effective.is_date and effective.value == datetime(2026, 1, 1)
    title = sheet.cell(row=3, column=2)
    assert title.value == INJECTED_TITLE and title.data_type == "s"
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["C"].width


def test_register_pdf_reads_like_a_report(client, world, registry_data):
    response = get(client, world, "agreements?format=pdf&status=active")
    assert response.content_type == "application/pdf"
    reader = PdfReader(io.BytesIO(response.get_data()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Agreement register" in text
    assert "Generated by Auditor <auditor@example.org>" in text
    assert "Filters: status = active" in text
    assert "ISA-1" in text and "ISA-2" not in text
    assert f"Page 1 of {len(reader.pages)}" in text


def test_register_pdf_repeats_the_header_on_every_page(client, world, app):
    for number in range(40):
        payload = agreement_payload(f"BIG-{number:02}", description="long " * 50)
        create_agreement(client, world, payload)
    reader = PdfReader(io.BytesIO(get(client, world, "agreements?format=pdf").get_data()))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) > 1
    assert all("Reference" in page for page in pages)
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]


def test_review_due_lists_reviews_expiries_and_stale_drafts(client, world, registry_data, app):
    assert read_csv(get(client, world, "review-due?within_days=10")) == []
    rows = read_csv(get(client, world, "review-due?within_days=60"))
    assert [(r["Reference"], r["Why it is listed"]) for r in rows] == [("ISA-1", "review_due")]
    assert rows[0]["Agencies that must act"] == "CSC; POL"
    assert "Lead Csc <lead_csc@example.org>" in rows[0]["Their leads"]
    with app.app_context():
        old = utcnow() - timedelta(days=45)
        db.session.execute(update(AgreementVersion).values(created_at=old))
        db.session.execute(
            update(AgreementVersion)
            .where(AgreementVersion.activated_on.is_not(None))
            .values(expires_on=today_uk() - timedelta(days=3))
        )
        db.session.commit()
    rows = get(client, world, "review-due?format=json&within_days=0").json["items"]
    found = {(r["reference"], r["reason"]): r for r in rows}
    assert set(found) == {("ISA-1", "expired"), ("ISA-2", "awaiting_signatures")}
    assert found["ISA-1", "expired"]["days_left"] == -3
    assert found["ISA-2", "awaiting_signatures"]["must_act"] == ["NHS", "SCH"]


def test_decision_log_flags_exceptions(client, world, registry_data):
    rows = get(client, world, "decisions?format=json").json["items"]
    by_id = {row["check_id"]: row for row in rows}
    assert len(rows) == 3
    shared = by_id[registry_data["shared"]]
    assert shared["outcome"] == "share" and shared["shared"] is True
    assert shared["agreement"] == "ISA-1" and shared["agreement_version"] == 1
    assert not any(shared[k] for k in ("shared_after_do_not_share", "no_decision_in_time"))
    emergency = by_id[registry_data["emergency"]]
    assert emergency["outcome"] == "do_not_share" and emergency["shared_after_do_not_share"]
    assert emergency["reasons"] == ["NO_AGREEMENT"]
    pending = by_id[registry_data["pending"]]
    assert pending["shared"] is None and pending["no_decision_in_time"] is True


def test_decision_log_csv_and_filters(client, world, registry_data):
    rows = read_csv(get(client, world, "decisions?format=csv&shared=true&outcome=do_not_share"))
    assert len(rows) == 1
    assert rows[0]["Justification"] == "'-1 risk to life, shared by phone"
    assert rows[0]["Exception: shared after do_not_share"] == "yes"
    today = today_uk().isoformat()
    rows = read_csv(get(client, world, f"decisions?from={today}&to={today}"))
    assert len(rows) == 2  # the pending check was made two weeks ago


def test_decision_log_xlsx(client, world, registry_data):
    sheet = load_workbook(io.BytesIO(get(client, world, "decisions?format=xlsx").get_data())).active
    assert sheet.freeze_panes == "A2" and sheet.max_row == 4
    checked_at = sheet.cell(row=2, column=2)
    assert checked_at.is_date and isinstance(checked_at.value, datetime)


def test_xlsx_rows_beyond_a_sheet_go_on_to_further_sheets(
    client, world, registry_data, monkeypatch
):
    whole = load_workbook(io.BytesIO(get(client, world, "decisions?format=xlsx").get_data()))
    monkeypatch.setattr(xlsx, "SHEET_ROWS", 2)
    split = load_workbook(io.BytesIO(get(client, world, "decisions?format=xlsx").get_data()))
    assert split.sheetnames == ["Decision log", "Decision log (2)"]
    header, *rows = list(whole.active.values)
    assert [list(sheet.values) for sheet in split] == [[header, *rows[:2]], [header, *rows[2:]]]
    assert [sheet.auto_filter.ref for sheet in split] == [
        f"A1:{LAST_COLUMN}3",
        f"A1:{LAST_COLUMN}2",
    ]
    assert all(sheet.freeze_panes == "A2" for sheet in split)


def test_a_heatmap_of_too_many_agencies_is_refused_before_anything_is_audited(
    client, world, registry_data, monkeypatch
):
    exports = export_count(client.application)
    monkeypatch.setattr(coverage, "HEATMAP_AGENCIES", 5)  # the world has 6 active agencies
    response = client.get("/api/v1/reports/coverage?format=svg", headers=world.headers("auditor"))
    errors = assert_field_errors(response, "format", where="query")
    assert "at most 5 agencies, and 6 are active" in errors["format"][0]
    assert export_count(client.application) == exports
    assert read_csv(get(client, world, "coverage?format=csv"))  # other formats still served
    monkeypatch.setattr(coverage, "HEATMAP_AGENCIES", 6)
    assert get(client, world, "coverage?format=svg").data.startswith(b"<?xml")


def test_every_pair_of_too_many_agencies_is_refused_and_filters_narrow_it(
    client, world, registry_data, monkeypatch
):
    exports = export_count(client.application)
    monkeypatch.setattr(coverage, "LISTED_PAIRS", 29)  # 6 active agencies make 30 pairs
    for query in ("coverage?format=csv", "coverage?format=json&covered=false"):
        response = client.get(f"/api/v1/reports/{query}", headers=world.headers("auditor"))
        errors = assert_field_errors(response, "format", where="query")
        assert "6 active agencies would be 30 rows; a list holds at most 29" in errors["format"][0]
    assert export_count(client.application) == exports
    assert get(client, world, "coverage?covered=true").json["total"] == 2
    assert get(client, world, "coverage?agency=CSC").json["total"] == 10
    assert get(client, world, "coverage", who="lead_pol").json["total"] == 10
    monkeypatch.setattr(coverage, "LISTED_PAIRS", 30)
    assert get(client, world, "coverage").json["total"] == 30


def test_a_pdf_of_too_many_agreements_is_refused_and_filters_narrow_it(
    client, world, registry_data, monkeypatch
):
    monkeypatch.setattr(agreements, "PDF_AGREEMENTS", 1)  # ISA-1 in force, ISA-2 a draft
    response = client.get("/api/v1/reports/agreements?format=pdf", headers=world.headers("admin"))
    errors = assert_field_errors(response, "format", where="query")
    assert "at most 1 agreements, and these filters select more." in errors["format"][0]
    assert get(client, world, "agreements?format=pdf&status=active").data.startswith(b"%PDF")
    # A lead's PDF counts only their agency's agreements: ISA-1 alone for the police.
    assert get(client, world, "agreements?format=pdf", who="lead_pol").data.startswith(b"%PDF")


def export_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(AuditEvent.action == "report.export"))


def test_coverage_json_csv_and_svg(client, world, registry_data):
    body = get(client, world, "coverage").json
    assert body["total"] == 6 * 5
    pairs = {(r["provider"], r["recipient"]): r for r in body["items"]}
    assert pairs["CSC", "POL"]["agreements"] == ["ISA-1 v1"]
    assert pairs["POL", "CSC"]["agreement_count"] == 1
    assert "child_protection_enquiry" in pairs["CSC", "POL"]["purposes"]
    assert pairs["NHS", "SCH"]["agreement_count"] == 0  # a draft covers nothing
    rows = read_csv(get(client, world, "coverage?format=csv&agency=CSC"))
    assert len(rows) == 10 and all("CSC" in (r["Provider"], r["Recipient"]) for r in rows)
    covered = get(client, world, "coverage?covered=true").json["items"]
    assert [(r["provider"], r["recipient"]) for r in covered] == [("CSC", "POL"), ("POL", "CSC")]
    gaps = get(client, world, "coverage?covered=false").json
    assert gaps["total"] == 28 and {r["agreement_count"] for r in gaps["items"]} == {0}
