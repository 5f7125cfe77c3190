"""The start page: what needs the signed-in person's attention, by role."""

from datetime import timedelta

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import Row, exists, func, or_, select
from sqlalchemy.orm import aliased

from registry.auth import ANY_ROLE, require_role
from registry.clock import today_uk
from registry.extensions import db
from registry.models import (
    Agreement,
    AgreementParty,
    AgreementState,
    AgreementVersion,
    Role,
    ShareCheck,
    ShareDecision,
    Signature,
)
from registry.queries import visible_to

bp = Blueprint("home", __name__)
REVIEW_WINDOW_DAYS = 60
#: Reviews named on the start page; the review-due report lists them all.
REVIEWS_SHOWN = 50
#: Beyond this many more, the start page says "more than" rather than counting them all.
MORE_COUNTED = 1_000


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in"))
    return start()


@require_role(*ANY_ROLE)
def start():
    reviews, more_reviews = reviews_due()
    return render_template(
        "home/index.html",
        awaiting=awaiting_my_signature(),
        reviews=reviews,
        more_reviews=more_reviews,
        more_counted=MORE_COUNTED,
        pending_checks=checks_waiting_for_decision(),
        window=REVIEW_WINDOW_DAYS,
        today=today_uk(),
    )


def awaiting_my_signature() -> list[Row]:
    """(reference, title, number) of each newest version a lead's agency has yet to sign.

    Read from the agency's own party rows, so it costs the same in a partnership and in a
    national registry.
    """
    if current_user.role != Role.AGENCY_LEAD:
        return []
    agency_id = current_user.agency_id
    newer = aliased(AgreementVersion)
    signed = exists().where(
        Signature.version_id == AgreementVersion.id, Signature.agency_id == agency_id
    )
    query = (
        select(Agreement.reference, AgreementVersion.title, AgreementVersion.number)
        .join(AgreementVersion, AgreementVersion.agreement_id == Agreement.id)
        .join(AgreementParty, AgreementParty.version_id == AgreementVersion.id)
        .where(
            AgreementParty.agency_id == agency_id,
            AgreementVersion.activated_on.is_(None),
            Agreement.state != AgreementState.TERMINATED,
            ~signed,
            ~exists().where(
                newer.agreement_id == AgreementVersion.agreement_id,
                newer.number > AgreementVersion.number,
            ),
        )
        .order_by(Agreement.reference)
    )
    return db.session.execute(query).all()


def reviews_due() -> tuple[list[Row], int | None]:
    """The first REVIEWS_SHOWN agreements in force or suspended whose review is due within
    the window (or overdue), soonest first, and how many more there are, or None for more
    than MORE_COUNTED.

    A national registry has thousands due at once: the start page names the most pressing,
    sends the rest to the review-due report, and counts no further than anyone reads.
    """
    if current_user.role == Role.PRACTITIONER:
        return [], 0
    today = today_uk()
    horizon = today + timedelta(days=REVIEW_WINDOW_DAYS)
    # Versions are read by review date and joined to the agreement they are in force for
    # (both indexed), rather than every live agreement to its version. A draft has no version
    # in force, so "not terminated" is "active or suspended" here; unlike the latter it is no
    # use to the state index, which SQLite would otherwise walk instead. One join condition,
    # not two, keeps PostgreSQL's estimate of the rows due near the truth.
    due = visible_to(
        select(Agreement.reference, AgreementVersion.title, AgreementVersion.review_date)
        .select_from(AgreementVersion)
        .join(Agreement, Agreement.current_version_id == AgreementVersion.id)
        .where(
            Agreement.state != AgreementState.TERMINATED,
            AgreementVersion.review_date <= horizon,
            or_(AgreementVersion.expires_on.is_(None), AgreementVersion.expires_on > today),
        ),
        current_user,
    )
    soonest = db.session.execute(
        due.order_by(AgreementVersion.review_date, Agreement.reference).limit(REVIEWS_SHOWN)
    ).all()
    if len(soonest) < REVIEWS_SHOWN:
        return soonest, 0
    counted = due.limit(REVIEWS_SHOWN + MORE_COUNTED + 1).subquery()
    more = db.session.scalar(select(func.count()).select_from(counted)) - REVIEWS_SHOWN
    return soonest, (more if more <= MORE_COUNTED else None)


def checks_waiting_for_decision() -> list[ShareCheck]:
    """The person's 50 latest checks with no decision recorded.

    A person checks only for their own agency, so the agency's index of checks by time
    finds them: without it the query walked every check in the registry (docs/performance.md).
    """
    if current_user.role not in (Role.PRACTITIONER, Role.AGENCY_LEAD):
        return []
    query = (
        select(ShareCheck)
        .outerjoin(ShareDecision, ShareDecision.check_id == ShareCheck.id)
        .where(
            ShareCheck.provider_id == current_user.agency_id,
            ShareCheck.checked_by_id == current_user.id,
            ShareDecision.id.is_(None),
        )
        .order_by(ShareCheck.checked_at.desc())
        .limit(50)
    )
    return list(db.session.scalars(query).unique())
