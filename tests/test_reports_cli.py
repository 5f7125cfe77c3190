"""`flask registry export`: files for scheduled jobs, audited, with errors that name the problem."""

import csv
import json

from openpyxl import load_workbook
from sqlalchemy import select

from registry.extensions import db
from registry.models import AuditEvent
from tests.test_reports_api import populate


def export(runner, *args):
    return runner.invoke(args=["registry", "export", *args])


def test_cli_exports_a_filtered_xlsx_and_audits_it(runner, app, client, world, tmp_path):
    populate(client, world, app)
    output = tmp_path / "register.xlsx"
    result = export(runner, "agreements", "--format", "xlsx", "--output", str(output))
    assert result.exit_code == 0, result.output
    assert "Wrote the agreements report (xlsx" in result.output
    sheet = load_workbook(output).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["ISA-1", "ISA-2"]
    assert not (tmp_path / "register.xlsx.part").exists()
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert (event.action, event.target_id, event.actor_id) == ("report.export", "agreements", None)
    assert event.details["by"] == "registry command line (operator)"


def test_cli_exports_every_report(runner, app, client, world, tmp_path):
    populate(client, world, app)
    for report, fmt in (("review-due", "csv"), ("decisions", "json"), ("coverage", "svg")):
        output = tmp_path / f"{report}.{fmt}"
        result = export(runner, report, "--format", fmt, "--output", str(output))
        assert result.exit_code == 0, result.output
    with (tmp_path / "review-due.csv").open(encoding="utf-8-sig") as handle:
        assert next(csv.reader(handle))[0] == "Reference"
    decisions = json.loads((tmp_path / "decisions.json").read_text())
    assert decisions["total"] == 3
    assert (tmp_path / "coverage.svg").read_text().startswith("<?xml")


def test_cli_filters_apply(runner, app, client, world, tmp_path):
    populate(client, world, app)
    output = tmp_path / "shared.csv"
    args = ("--from", "2026-01-01", "--shared", "true", "--agency", "OTH")
    result = export(runner, "decisions", "--format", "csv", "--output", str(output), *args)
    assert result.exit_code == 0, result.output
    with output.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["Recipient"] for r in rows] == ["OTH"]
    output = tmp_path / "covered.json"
    args = ("--format", "json", "--output", str(output), "--covered", "true")
    assert export(runner, "coverage", *args).exit_code == 0
    assert json.loads(output.read_text())["total"] == 2  # CSC to POL and back, under ISA-1


def test_cli_errors_name_the_problem(runner, world, tmp_path):
    output = str(tmp_path / "out")
    result = export(runner, "nope", "--format", "csv", "--output", output)
    assert result.exit_code == 2 and "'nope' is not one of" in result.output
    result = export(runner, "coverage", "--format", "pdf", "--output", output)
    assert result.exit_code == 1 and "--format: Must be one of: json, csv, svg." in result.output
    result = export(runner, "decisions", "--format", "csv", "--output", output, "--to", "31/12")
    assert result.exit_code == 1 and "--to: Not a valid date." in result.output
    result = export(
        runner, "agreements", "--format", "csv", "--output", output, "--to", "2026-01-01"
    )
    assert result.exit_code == 1 and "--to does not apply to this report" in result.output
    result = export(runner, "agreements", "--format", "csv", "--output", output, "--agency", "ZZ")
    assert "--agency: Unknown agency code: ZZ." in result.output
    assert not (tmp_path / "out").exists()


def test_cli_refuses_a_pdf_too_large_to_lay_out(runner, app, client, world, tmp_path, monkeypatch):
    from registry.reports import agreements

    populate(client, world, app)
    monkeypatch.setattr(agreements, "PDF_AGREEMENTS", 1)
    output = tmp_path / "register.pdf"
    result = export(runner, "agreements", "--format", "pdf", "--output", str(output))
    assert result.exit_code == 1
    assert "agreements: A PDF register holds at most 1 agreements" in result.output
    assert not output.exists() and not (tmp_path / "register.pdf.part").exists()
