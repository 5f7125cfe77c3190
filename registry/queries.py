"""The read side: list queries with filters, role scoping and pagination."""

from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, String, and_, cast, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from registry.clock import UK, today_uk
from registry.extensions import db
from registry.models import (
    Agency,
    Agreement,
    AgreementParty,
    AgreementState,
    AgreementVersion,
    Role,
    ShareCheck,
    User,
)
from registry.permissions import SEES_EVERYTHING, Actor

#: Largest page number: keeps the row offset within a 64-bit integer (SQLite's and
#: PostgreSQL's OFFSET and LIMIT), so an absurd page is a 4xx rather than a 500.
MAX_PAGE = 10_000_000


def paginate(query: Select, page: int, per_page: int, *, count_to: int | None = None) -> dict:
    """A page of `query`'s rows and how many there are.

    With `count_to`, rows are counted no further than that many past the page's start, and
    `more` says there are others beyond `total`: a log of millions of rows has no use for an
    exact count that reads every row on each page (docs/performance.md, item 44).
    """
    offset = (page - 1) * per_page
    counted = query.order_by(None)
    if count_to is not None:
        counted = counted.limit(offset + count_to + 1)
    total = db.session.scalar(select(func.count()).select_from(counted.subquery()))
    more = count_to is not None and total > offset + count_to
    items = db.session.scalars(query.limit(per_page).offset(offset)).unique().all()
    return {
        "items": items,
        "total": offset + count_to if more else total,
        "more": more,
        "page": page,
        "per_page": per_page,
    }


def list_agencies(args: dict) -> dict:
    query = select(Agency).order_by(Agency.code)
    if "sector" in args:
        query = query.where(Agency.sector == args["sector"])
    if "active" in args:
        query = query.where(Agency.active == args["active"])
    return paginate(query, args["page"], args["per_page"])


def list_users(args: dict, actor: Actor) -> dict:
    query = select(User).order_by(User.email)
    if actor.role != Role.ADMIN:
        query = query.where(User.agency_id == actor.agency_id, User.role == Role.PRACTITIONER)
    if "agency" in args:
        query = query.join(Agency, User.agency_id == Agency.id).where(Agency.code == args["agency"])
    if "role" in args:
        query = query.where(User.role == args["role"])
    return paginate(query, args["page"], args["per_page"])


def _party_of(agency_id) -> Select:
    return (
        select(AgreementVersion.agreement_id)
        .join(AgreementParty, AgreementParty.version_id == AgreementVersion.id)
        .where(AgreementParty.agency_id == agency_id)
    )


def _shown_version_id():
    """The version in force, or the only (draft) version of an agreement never in force."""
    # An alias, or the subquery auto-correlates with the joined AgreementVersion and is empty.
    inner = aliased(AgreementVersion)
    first = (
        select(func.min(inner.id))
        .where(inner.agreement_id == Agreement.id)
        .correlate(Agreement)
        .scalar_subquery()
    )
    return func.coalesce(Agreement.current_version_id, first)


def _status_condition(status: str):
    today = today_uk()
    expired = AgreementVersion.expires_on <= today
    live = (AgreementState.ACTIVE, AgreementState.SUSPENDED)
    if status in ("draft", "terminated"):
        return Agreement.state == status
    if status == "expired":
        return and_(Agreement.state.in_(live), expired)
    not_expired = or_(AgreementVersion.expires_on.is_(None), AgreementVersion.expires_on > today)
    return and_(Agreement.state == status, not_expired)


def contains(column, text: str):
    """`column` contains `text`, ignoring case, with LIKE's wildcards in `text` taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


def _like_code(code: str) -> str:
    return '%"' + code.replace("_", "\\_") + '"%'


def agreements_query(args: dict, actor: Actor) -> Select:
    """The agreements the list's filters select, each with its versions and history loaded."""
    return filter_agreements(
        select(Agreement).options(
            selectinload(Agreement.versions).selectinload(AgreementVersion.parties),
            selectinload(Agreement.versions).selectinload(AgreementVersion.signatures),
            selectinload(Agreement.events),
        ),
        args,
        actor,
        with_version=False,
    )


def visible_to(query: Select, actor: Actor) -> Select:
    """`query` from agreements, kept to the actor's agency's unless they see everything."""
    if actor.role in SEES_EVERYTHING:
        return query
    return query.where(Agreement.id.in_(_party_of(actor.agency_id)))


def filter_agreements(
    query: Select, args: dict, actor: Actor, *, with_version: bool = True
) -> Select:
    """`query` from agreements, joined to each one's shown version, narrowed by the filters.

    The shown version (`AgreementVersion` in the query) is the one in force, or the first
    draft of an agreement never in force; the actor sees only their agency's agreements
    unless they see everything. A query of agreements' own columns (`with_version=False`)
    is joined to it only when a filter reads it: counting a national registry's 300,000
    agreements took a look-up of each one's shown version (docs/performance.md, item 43).
    """
    on_version = _version_conditions(args)
    if with_version or on_version:
        query = query.join(AgreementVersion, AgreementVersion.id == _shown_version_id())
    query = visible_to(query.order_by(Agreement.reference), actor).where(*on_version)
    if args.get("agency"):
        agency_id = select(Agency.id).where(Agency.code == args["agency"]).scalar_subquery()
        query = query.where(Agreement.id.in_(_party_of(agency_id)))
    return query


#: The review-due filter of the agreements list: its choices, as days from today.
REVIEW_DUE_DAYS = {"30": 30, "60": 60, "90": 90, "overdue": 0}


def _version_conditions(args: dict) -> list:
    """The filters' conditions, each of which may read the shown version."""
    conditions = []
    if args.get("status"):
        conditions.append(_status_condition(args["status"]))
    if args.get("purpose"):
        purposes = cast(AgreementVersion.purposes, String)
        conditions.append(purposes.like(_like_code(args["purpose"]), escape="\\"))
    if args.get("q"):
        pattern = f"%{args['q'].strip().lower()}%"
        conditions.append(
            or_(
                func.lower(Agreement.reference).like(pattern),
                func.lower(AgreementVersion.title).like(pattern),
            )
        )
    if args.get("review_due") in REVIEW_DUE_DAYS:
        horizon = today_uk() + timedelta(days=REVIEW_DUE_DAYS[args["review_due"]])
        conditions.append(AgreementVersion.review_date <= horizon)
    return conditions


def uk_day_start(day: date) -> datetime:
    """The UTC instant a UK calendar day begins."""
    return datetime.combine(day, time.min, tzinfo=UK)


def in_days(column, filters: dict) -> list:
    """Conditions keeping a timestamp within the UK days `from_` to `to`, both included.

    A `to` of the last day a date can hold (9999-12-31) sets no end: the day after it, where
    the window would end, does not exist.
    """
    conditions = []
    if filters.get("from_"):
        conditions.append(column >= uk_day_start(filters["from_"]))
    if filters.get("to") and filters["to"] < date.max:
        conditions.append(column < uk_day_start(filters["to"] + timedelta(days=1)))
    return conditions


def checks_query(args: dict, actor: Actor) -> Select:
    query = select(ShareCheck).order_by(ShareCheck.checked_at.desc(), ShareCheck.id.desc())
    if actor.role not in SEES_EVERYTHING:
        query = query.where(ShareCheck.provider_id == actor.agency_id)
    query = query.where(*in_days(ShareCheck.checked_at, args))
    if args.get("agency"):
        agency_id = select(Agency.id).where(Agency.code == args["agency"]).scalar_subquery()
        query = query.where(
            or_(ShareCheck.provider_id == agency_id, ShareCheck.recipient_id == agency_id)
        )
    if args.get("outcome"):
        query = query.where(ShareCheck.outcome == args["outcome"])
    return query
