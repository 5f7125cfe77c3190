"""Auditor pages: the decision log, the audit trail and its integrity check, report downloads."""

from datetime import date

from flask import Blueprint, abort, current_app, render_template, request, stream_template
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import and_, or_, select

from registry import audit as trail
from registry.api.schemas import VerifyArgsSchema
from registry.auth import require_role
from registry.extensions import db
from registry.models import AuditEvent, Role, ShareCheck, ShareDecision, User
from registry.permissions import SEES_EVERYTHING
from registry.queries import checks_query, in_days, paginate
from registry.reports import REPORTS as REPORT_CATALOGUE
from registry.reports.base import Viewer
from registry.web.agency_options import filter_choices, stored_code
from registry.web.helpers import page_number

bp = Blueprint("audit", __name__)
AUDITORS = (Role.AUDITOR, Role.ADMIN)
LOG_READERS = (Role.PRACTITIONER, Role.AGENCY_LEAD, *SEES_EVERYTHING)
#: Who the reports API serves (practitioners get 403 there, so no links for them here).
REPORT_READERS = (Role.AGENCY_LEAD, *SEES_EVERYTHING)
PER_PAGE = 50
#: How far past a page the decision log and audit trail count: beyond, "more than".
LOG_COUNTED = 10_000
#: Reports of api.md, offered only when the API serves them (see `available_reports`).
REPORTS = (
    ("agreements", "Agreement register", ("csv", "xlsx", "pdf", "json")),
    ("review-due", "Agreements due for review", ("csv", "xlsx", "json")),
    ("decisions", "Checks and decisions, exceptions flagged", ("csv", "xlsx", "json")),
    ("coverage", "Which agencies may share what with whom", ("csv", "svg", "json")),
    ("access", "Who looked at which person's records", ("csv", "xlsx", "json")),
)


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def is_exception(check: ShareCheck) -> bool:
    """Shared although the answer was not a plain 'share': auditors look at these first."""
    return bool(check.decision and check.decision.shared and check.outcome != "share")


@bp.route("/decisions")
@require_role(*LOG_READERS)
def decisions():
    args = {
        "from_": _date_arg("from"),
        "to": _date_arg("to"),
        "agency": stored_code(request.args.get("agency", "")),
        "outcome": request.args.get("outcome", ""),
    }
    if args["outcome"] not in ("share", "share_with_justification", "do_not_share"):
        args["outcome"] = ""
    query = checks_query(args, current_user)
    shown = request.args.get("show", "")
    if shown == "exceptions":
        query = query.join(ShareDecision, ShareDecision.check_id == ShareCheck.id).where(
            ShareDecision.shared.is_(True), ShareCheck.outcome != "share"
        )
    elif shown == "undecided":
        query = query.outerjoin(ShareDecision, ShareDecision.check_id == ShareCheck.id).where(
            ShareDecision.id.is_(None)
        )
    page = page_number()
    result = paginate(query, page, PER_PAGE, count_to=LOG_COUNTED)
    trail.record(
        "check.list",
        actor_id=current_user.id,
        details={k: str(v) for k, v in args.items() if v} | {"returned": len(result["items"])},
    )
    db.session.commit()
    return render_template(
        "audit/decisions.html",
        result=result,
        args=args,
        shown=shown,
        agency_choices=filter_choices(),
        is_exception=is_exception,
        reports=available_reports() if current_user.role in REPORT_READERS else [],
    )


@bp.route("/audit-trail")
@require_role(*AUDITORS)
def trail_page():
    start, end = _date_arg("from"), _date_arg("to")
    conditions = in_days(AuditEvent.at, {"from_": start, "to": end})
    query = select(AuditEvent).order_by(AuditEvent.seq.desc())
    if conditions:
        query = query.where(and_(*conditions))
    action = request.args.get("action", "").strip()
    if action:
        query = query.where(or_(AuditEvent.action == action, AuditEvent.action.like(action + ".%")))
    page = page_number()
    result = paginate(query, page, PER_PAGE, count_to=LOG_COUNTED)
    trail.record("audit.read", actor_id=current_user.id, details={"page": result["page"]})
    db.session.commit()
    # Only this page's actors: a national registry has tens of thousands of users.
    actor_ids = {event.actor_id for event in result["items"]} - {None}
    actors = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(actor_ids)))}
    return render_template(
        "audit/trail.html", result=result, actors=actors, start=start, end=end, action=action
    )


@bp.route("/audit-trail/verify")
@require_role(*AUDITORS)
def verify():
    """The integrity check, streamed (see `trail.ChainCheck` and the template), compared with
    an earlier check's `events` and `last_hash` when the auditor gives them."""
    given = {name: request.args.get(name, "").strip() for name in ("events", "last_hash")}
    try:
        anchor = VerifyArgsSchema().load({name: value for name, value in given.items() if value})
    except ValidationError as err:
        page = render_template("audit/verify.html", check=None, given=given, errors=err.messages)
        return page, 400
    check = trail.ChainCheck(anchor=trail.Anchor.given(anchor))
    return stream_template("audit/verify.html", check=check, given=given, errors={})


@bp.route("/reports")
@require_role(*REPORT_READERS)
def reports():
    viewer = Viewer.of(current_user)
    return render_template(
        "audit/reports.html", reports=[_fitting(report, viewer) for report in available_reports()]
    )


def _fitting(report: dict, viewer: Viewer) -> dict:
    """The report with only the formats that can hold it whole for this viewer, and why not.

    A national registry is too large for a PDF register or a heatmap (reports/base.py,
    `oversize`); the page offers what works and says why the rest is not offered.
    """
    oversize = REPORT_CATALOGUE[report["name"]].oversize
    reasons = {
        fmt: reason
        for fmt in report["formats"]
        if oversize is not None and (reason := oversize({"format": fmt}, viewer))
    }
    formats = tuple(fmt for fmt in report["formats"] if fmt not in reasons)
    return report | {"formats": formats, "withheld": reasons}


def available_reports() -> list[dict]:
    """The reports of REPORTS that the API serves right now, by looking at the URL map."""
    rules = {rule.rule for rule in current_app.url_map.iter_rules()}
    return [
        {"name": name, "title": title, "formats": formats}
        for name, title, formats in REPORTS
        if f"/api/v1/reports/{name}" in rules
    ]


@bp.route("/reports/<name>")
@require_role(*REPORT_READERS)
def download(name):
    """Serve an API report to a signed-in browser: the API view runs with the session's user.

    The API view applies its own role and agency rules and reads the same query string
    (format, from, to, within_days).
    """
    if name not in {report["name"] for report in available_reports()}:
        abort(404)
    adapter = current_app.url_map.bind("localhost")
    endpoint, values = adapter.match(f"/api/v1/reports/{name}", method="GET")
    return current_app.view_functions[endpoint](**values)
