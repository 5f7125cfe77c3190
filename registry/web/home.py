"""The start page: what needs the signed-in person's attention, by role."""

from datetime import timedelta

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from registry.auth import ANY_ROLE, require_role
from registry.clock import today_uk
from registry.extensions import db
from registry.models import Role, ShareCheck, ShareDecision
from registry.presenters import agreement_status
from registry.queries import agreements_query

bp = Blueprint("home", __name__)
REVIEW_WINDOW_DAYS = 60


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in"))
    return start()


@require_role(*ANY_ROLE)
def start():
    agreements = db.session.scalars(agreements_query({}, current_user)).unique().all()
    return render_template(
        "home/index.html",
        awaiting=awaiting_my_signature(agreements),
        reviews=reviews_due(agreements),
        pending_checks=checks_waiting_for_decision(),
        window=REVIEW_WINDOW_DAYS,
        today=today_uk(),
    )


def awaiting_my_signature(agreements) -> list:
    if current_user.role != Role.AGENCY_LEAD:
        return []
    waiting = []
    for agreement in agreements:
        version = agreement.pending_version
        if version is None or agreement_status(agreement) == "terminated":
            continue
        if current_user.agency_code in version.unsigned_party_codes():
            waiting.append((agreement, version))
    return waiting


def reviews_due(agreements) -> list:
    """Agreements in force or suspended whose review date falls within the window, or is past."""
    if current_user.role == Role.PRACTITIONER:
        return []
    horizon = today_uk() + timedelta(days=REVIEW_WINDOW_DAYS)
    due = []
    for agreement in agreements:
        version = agreement.current_version
        if version is None or agreement_status(agreement) in ("terminated", "expired"):
            continue
        if version.review_date is not None and version.review_date <= horizon:
            due.append((agreement, version))
    return sorted(due, key=lambda pair: pair[1].review_date)


def checks_waiting_for_decision() -> list[ShareCheck]:
    if current_user.role not in (Role.PRACTITIONER, Role.AGENCY_LEAD):
        return []
    query = (
        select(ShareCheck)
        .outerjoin(ShareDecision, ShareDecision.check_id == ShareCheck.id)
        .where(ShareCheck.checked_by_id == current_user.id, ShareDecision.id.is_(None))
        .order_by(ShareCheck.checked_at.desc())
        .limit(50)
    )
    return list(db.session.scalars(query).unique())
