"""Reports: who may download what, the audit event per export, bad filters, SVG, access."""

import io
import xml.etree.ElementTree as ET

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from registry import audit
from registry.extensions import db
from registry.models import AuditEvent
from tests.test_reports_api import get, populate, read_csv

SVG = "{http://www.w3.org/2000/svg}"
REPORTS = ("agreements", "review-due", "decisions", "coverage", "access", "audit")


@pytest.fixture
def registry_data(client, world, app):
    return populate(client, world, app)


@pytest.mark.parametrize("report", REPORTS)
def test_practitioners_are_refused_and_anonymous_asked_to_sign_in(client, world, report):
    url = f"/api/v1/reports/{report}"
    assert client.get(url, headers=world.headers("prac_csc")).status_code == 403
    assert client.get(url).status_code == 401


@pytest.mark.parametrize("report", ("access", "audit"))
def test_access_and_audit_reports_are_for_auditors_and_admins(client, world, report):
    url = f"/api/v1/reports/{report}"
    assert client.get(url, headers=world.headers("lead_csc")).status_code == 403
    assert client.get(url, headers=world.headers("admin")).status_code == 200


def test_leads_see_only_what_concerns_their_agency(client, world, registry_data):
    register = read_csv(get(client, world, "agreements", "lead_nhs"))
    assert [r["Reference"] for r in register] == ["ISA-2"]
    register = read_csv(get(client, world, "agreements", "lead_csc"))
    assert [r["Reference"] for r in register] == ["ISA-1"]
    decisions = read_csv(get(client, world, "decisions", "lead_oth"))
    assert [int(r["Check"]) for r in decisions] == [registry_data["emergency"]]
    decisions = read_csv(get(client, world, "decisions", "lead_pol"))
    assert {int(r["Check"]) for r in decisions} == {
        registry_data["shared"],
        registry_data["pending"],
    }
    coverage = get(client, world, "coverage", "lead_vol").json["items"]
    assert len(coverage) == 10 and all("VOL" in (r["provider"], r["recipient"]) for r in coverage)
    assert read_csv(get(client, world, "review-due?within_days=60", "lead_sch")) == []


def test_each_export_is_audited_before_the_file_streams(client, world, app, registry_data):
    response = client.get(
        "/api/v1/reports/agreements?format=csv&status=active",
        headers=world.headers("lead_csc"),
        buffered=False,
    )
    with app.app_context():  # the event is committed before the first byte is read
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert (event.action, event.target_type, event.target_id) == (
            "report.export",
            "report",
            "agreements",
        )
        assert event.actor_id == world.users["lead_csc"]
        assert event.details["format"] == "csv"
        assert event.details["filters"] == {"status": "active"}
        assert audit.verify().ok
    assert b"ISA-1" in b"".join(response.response)
    response.close()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("agreements?format=docx", "format"),
        ("agreements?status=lost", "status"),
        ("agreements?agency=NOPE", "agency"),
        ("review-due?within_days=-1", "within_days"),
        ("decisions?from=yesterday", "from"),
        ("decisions?from=2026-02-01&to=2026-01-01", "to"),
        ("decisions?shared=maybe", "shared"),
        ("coverage?format=pdf", "format"),
    ],
)
def test_bad_filters_are_422_per_field_and_not_audited(client, world, app, query, field):
    response = client.get(f"/api/v1/reports/{query}", headers=world.headers("auditor"))
    assert response.status_code == 422
    assert field in response.json["errors"]["query"]
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "report.export" not in actions


def test_openapi_documents_reports_as_binary_downloads(client):
    spec = client.get("/api/v1/openapi.json").json
    content = spec["paths"]["/api/v1/reports/coverage"]["get"]["responses"]["200"]["content"]
    assert set(content) == {"application/json", "text/csv; charset=utf-8", "image/svg+xml"}
    assert content["image/svg+xml"]["schema"] == {"type": "string", "format": "binary"}


def test_coverage_svg_is_a_standalone_heatmap(client, world, registry_data):
    response = get(client, world, "coverage?format=svg")
    assert response.content_type == "image/svg+xml"
    root = ET.fromstring(response.get_data())  # noqa: S314 (our own output)
    assert root.tag == f"{SVG}svg" and root.get("viewBox")
    cells = [g for g in root.iter(f"{SVG}g") if g.find(f"{SVG}rect") is not None]
    assert len(cells) == 6 * 6
    tips = {g.find(f"{SVG}title").text: g.find(f"{SVG}rect").get("fill") for g in cells}
    covered = next(tip for tip in tips if tip.startswith("CSC → POL"))
    assert "1 in force (ISA-1 v1)" in covered and "safeguarding_children" in covered
    gap = next(tip for tip in tips if tip.startswith("NHS → SCH"))
    assert "Not covered" in gap and tips[gap] != tips[covered]
    labels = {t.text for t in root.iter(f"{SVG}text")}
    assert {"CSC", "POL", "NHS", "SCH", "VOL", "OTH"} <= labels


def test_access_report_counts_people_per_user_day_and_flags_spikes(client, world, app):
    with app.app_context():
        world.add_user("prac2_pol", "practitioner", "POL")
        _touch(world.users["prac_pol"], range(30))  # 30 people in a day
        _touch(world.users["lead_pol"], range(2))
        _touch(world.users["prac2_pol"], range(1))
        _touch(world.users["prac2_pol"], range(1))  # the same person again: one person
        db.session.commit()
    rows = {r["email"]: r for r in get(client, world, "access?format=json").json["items"]}
    spike, lead = rows["prac_pol@example.org"], rows["lead_pol@example.org"]
    other = rows["prac2_pol@example.org"]
    assert (spike["people"], spike["events"], spike["reads"]) == (30, 30, 30)
    assert spike["usual"] == 2 and spike["flagged"] is True
    assert lead["flagged"] is False and (other["people"], other["events"]) == (1, 2)
    assert spike["agency"] == "POL" and spike["day"] == lead["day"]
    sheet = load_workbook(io.BytesIO(get(client, world, "access?format=xlsx").get_data())).active
    assert sheet.max_row == 4 and sheet.cell(row=2, column=1).is_date
    flagged = [r for r in read_csv(get(client, world, "access")) if r["Far above usual"] == "yes"]
    assert [r["Email"] for r in flagged] == ["prac_pol@example.org"]


def _touch(user_id: int, people) -> None:
    for person in people:
        audit.record("check.read", actor_id=user_id, subject_hash=f"{person:064x}")


def test_audit_trail_csv_carries_the_hashes(client, world, app):
    rows = read_csv(get(client, world, "audit?format=csv"))
    assert [int(r["Seq"]) for r in rows] == list(range(1, len(rows) + 1))
    assert all(len(r["Hash"]) == 64 for r in rows)
    assert rows[1]["Previous hash"] == rows[0]["Hash"]
