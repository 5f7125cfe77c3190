"""Reports for auditors and agency leads: row iterators with explicit columns, and writers.

One catalogue serves the API (`registry/api/reports.py`), the command line
(`registry/reports/cli.py`) and the pages.
"""

from registry.models import Role
from registry.reports import access, agreements, audit_trail, coverage, decisions, filters
from registry.reports.base import Report

AUDITORS = (Role.ADMIN, Role.AUDITOR)

REPORTS = {
    report.name: report
    for report in (
        Report(
            "agreements",
            "Agreement register",
            agreements.REGISTER_COLUMNS,
            agreements.register_rows,
            filters.AgreementArgs,
            oversize=agreements.register_oversize,
        ),
        Report(
            "review-due",
            "Agreements due for review or signature",
            agreements.REVIEW_COLUMNS,
            agreements.review_due_rows,
            filters.ReviewDueArgs,
        ),
        Report(
            "decisions",
            "Decision log",
            decisions.COLUMNS,
            decisions.decision_rows,
            filters.DecisionArgs,
        ),
        Report(
            "coverage",
            "Coverage of agency pairs by agreements in force",
            coverage.COLUMNS,
            coverage.coverage_rows,
            filters.CoverageArgs,
            oversize=coverage.coverage_oversize,
        ),
        Report(
            "access",
            "Access to people's records",
            access.COLUMNS,
            access.access_rows,
            filters.AccessArgs,
            roles=AUDITORS,
        ),
        Report(
            "audit",
            "Audit trail",
            audit_trail.COLUMNS,
            audit_trail.audit_rows,
            filters.AuditArgs,
            roles=AUDITORS,
        ),
    )
}
