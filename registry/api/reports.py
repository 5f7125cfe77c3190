"""Report downloads: CSV, JSON, XLSX, PDF or SVG, streamed, each export audited first."""

from flask import Response, stream_with_context
from flask.views import MethodView
from flask_login import current_user

from registry.api.blueprint import Blueprint
from registry.auth import require_role
from registry.models import Role
from registry.reports import AUDITORS, REPORTS, filters
from registry.reports.base import Viewer
from registry.reports.export import WRITERS, export

blp = Blueprint("reports_api", __name__, url_prefix="/reports", description="Reports and exports")
READERS = (*AUDITORS, Role.AGENCY_LEAD)
BINARY = {"type": "string", "format": "binary"}
FILE = "The report as a file download; `format` picks its content type."


def documented(name: str):
    """Document every format of the report as a binary 200 response of its content type."""
    first, *others = REPORTS[name].formats

    def decorator(view):
        for fmt in others:
            view = blp.alt_response(
                200, schema=BINARY, content_type=WRITERS[fmt][1], description=FILE
            )(view)
        return blp.response(200, BINARY, content_type=WRITERS[first][1], description=FILE)(view)

    return decorator


def download(name: str, args: dict) -> Response:
    result = export(REPORTS[name], args, Viewer.of(current_user))
    return Response(
        stream_with_context(result.chunks),
        content_type=result.mimetype,
        headers={"Content-Disposition": f'attachment; filename="{result.filename}"'},
    )


@blp.route("/agreements")
class AgreementRegister(MethodView):
    @require_role(*READERS)
    @blp.arguments(filters.AgreementArgs, location="query")
    @documented("agreements")
    def get(self, args):
        """Download the agreement register (leads: their agency's agreements)."""
        return download("agreements", args)


@blp.route("/review-due")
class ReviewDue(MethodView):
    @require_role(*READERS)
    @blp.arguments(filters.ReviewDueArgs, location="query")
    @documented("review-due")
    def get(self, args):
        """Agreements to review within N days or overdue, expired, or unsigned for 30 days."""
        return download("review-due", args)


@blp.route("/decisions")
class DecisionLog(MethodView):
    @require_role(*READERS)
    @blp.arguments(filters.DecisionArgs, location="query")
    @documented("decisions")
    def get(self, args):
        """Download checks and their decisions, exceptions flagged."""
        return download("decisions", args)


@blp.route("/coverage")
class Coverage(MethodView):
    @require_role(*READERS)
    @blp.arguments(filters.CoverageArgs, location="query")
    @documented("coverage")
    def get(self, args):
        """Which provider->recipient pairs agreements in force cover (SVG: a heatmap)."""
        return download("coverage", args)


@blp.route("/access")
class Access(MethodView):
    @require_role(*AUDITORS)
    @blp.arguments(filters.AccessArgs, location="query")
    @documented("access")
    def get(self, args):
        """Who touched how many people's records, per user per day, unusual volumes flagged."""
        return download("access", args)


@blp.route("/audit")
class AuditTrail(MethodView):
    @require_role(*AUDITORS)
    @blp.arguments(filters.AuditArgs, location="query")
    @documented("audit")
    def get(self, args):
        """Download the audit trail with hashes (verify with GET /audit?format=jsonl)."""
        return download("audit", args)
