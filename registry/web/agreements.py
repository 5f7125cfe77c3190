"""Agreements: find, read, draft, amend, sign, suspend, resume and terminate."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from registry.auth import ANY_ROLE, require_role
from registry.domain import vocabulary as vocab
from registry.errors import RegistryError
from registry.extensions import db
from registry.models import Agency, AgreementParty, AgreementVersion, Role
from registry.permissions import can_view_agreement, ensure_can_view_agreement
from registry.presenters import agreement_view
from registry.queries import REVIEW_DUE_DAYS, agreements_query, paginate
from registry.services import agreements as service
from registry.services.lookups import get_agreement
from registry.web.agency_options import active_agencies, filter_choices, stored_code
from registry.web.agreement_form import ERROR_FIELDS, AgreementCreateForm, AgreementForm
from registry.web.forms import EmptyForm, OptionalReasonForm, ReasonForm
from registry.web.helpers import commit, page_number, show_errors, success

bp = Blueprint("agreements", __name__, url_prefix="/agreements")
MANAGERS = (Role.ADMIN, Role.AGENCY_LEAD)
STATUSES = ("draft", "active", "suspended", "expired", "terminated")
PER_PAGE = 25
ACTIONS = {
    "suspend": (service.suspend_agreement, ReasonForm, "suspended"),
    "resume": (service.resume_agreement, OptionalReasonForm, "resumed"),
    "terminate": (service.terminate_agreement, ReasonForm, "terminated"),
}


def _filters() -> dict:
    args = {key: request.args.get(key, "").strip() for key in ("agency", "status", "purpose", "q")}
    args["agency"] = stored_code(args["agency"])
    args["review_due"] = request.args.get("review_due", "")
    if args["status"] not in STATUSES:
        args["status"] = ""
    if args["purpose"] not in vocab.PURPOSES:
        args["purpose"] = ""
    if args["review_due"] not in REVIEW_DUE_DAYS:
        args["review_due"] = ""
    return args


@bp.route("")
@require_role(*ANY_ROLE)
def index():
    filters = _filters()
    query = agreements_query({k: v for k, v in filters.items() if v}, current_user)
    page = page_number()
    result = paginate(query, page, PER_PAGE)
    return render_template(
        "agreements/index.html",
        filters=filters,
        result=result,
        views=[agreement_view(a) for a in result["items"]],
        agency_choices=filter_choices(),
        statuses=STATUSES,
        purposes=list(vocab.PURPOSES.items()),
    )


def _visible(reference: str):
    agreement = get_agreement(reference)
    ensure_can_view_agreement(current_user, agreement)
    return agreement


@bp.route("/<reference>")
@require_role(*ANY_ROLE)
def detail(reference):
    agreement = _visible(reference)
    view = agreement_view(agreement)
    return render_template(
        "agreements/detail.html",
        agreement=agreement,
        view=view,
        can_manage=_can_manage(agreement),
        can_sign=_can_sign(view),
        names=agency_names(agreement),
    )


def agency_names(agreement) -> dict[str, str]:
    """The names of the agencies party to any of the agreement's versions, by code (those that
    sign it too): reading every agency's took 0.1 s a page with 20,000 of them."""
    parties = (
        select(Agency.code, Agency.name)
        .join(AgreementParty, AgreementParty.agency_id == Agency.id)
        .join(AgreementVersion, AgreementVersion.id == AgreementParty.version_id)
        .where(AgreementVersion.agreement_id == agreement.id)
        .distinct()
    )
    return dict(db.session.execute(parties).all())


def _can_manage(agreement) -> bool:
    if current_user.role == Role.ADMIN:
        return True
    return current_user.role == Role.AGENCY_LEAD and can_view_agreement(current_user, agreement)


def _can_sign(view: dict) -> bool:
    pending = view["pending_version"] or (view if view["status"] == "draft" else None)
    return (
        current_user.role == Role.AGENCY_LEAD
        and pending is not None
        and current_user.agency_code in pending["awaiting_signatures"]
    )


@bp.route("/new", methods=["GET", "POST"])
@require_role(*MANAGERS)
def create():
    form = AgreementCreateForm()
    form.set_agencies(active_agencies())
    if form.validate_on_submit():
        data = {"reference": form.reference.data.strip(), **form.to_data()}
        try:
            agreement = service.create_agreement(data, current_user)
            commit()
            success(f"Draft {agreement.reference} was saved. Every party now needs to sign it.")
            return redirect(url_for("agreements.detail", reference=agreement.reference))
        except RegistryError as err:
            show_errors(form, err, {**ERROR_FIELDS, "reference": "reference"})
    return render_template("agreements/form.html", form=form, agreement=None)


@bp.route("/<reference>/edit", methods=["GET", "POST"])
@require_role(*MANAGERS)
def edit(reference):
    agreement = _visible(reference)
    if not _can_manage(agreement):
        abort(403)
    form = AgreementForm()
    form.set_agencies(active_agencies())
    if not form.is_submitted():
        form.fill(agreement_view(agreement)["pending_version"] or agreement_view(agreement))
    if form.validate_on_submit():
        try:
            service.update_agreement(reference, form.to_data(), current_user)
            commit()
            success(f"{reference} was changed. Every party needs to sign the changed version.")
            return redirect(url_for("agreements.detail", reference=reference))
        except RegistryError as err:
            show_errors(form, err, ERROR_FIELDS)
    return render_template("agreements/form.html", form=form, agreement=agreement)


@bp.route("/<reference>/sign", methods=["GET", "POST"])
@require_role(Role.AGENCY_LEAD)
def sign(reference):
    agreement = _visible(reference)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            agreement = service.sign_agreement(reference, current_user)
            commit()
            in_force = agreement.pending_version is None
            success(
                f"You signed {reference} for {current_user.agency.name}."
                + (" Every party has signed: it is now in force." if in_force else "")
            )
            return redirect(url_for("agreements.detail", reference=reference))
        except RegistryError as err:
            show_errors(form, err)
            agreement = _visible(reference)
    return _confirm(agreement, "sign", form)


@bp.route("/<reference>/<any(suspend, resume, terminate):action>", methods=["GET", "POST"])
@require_role(*MANAGERS)
def lifecycle(reference, action):
    change, form_class, done = ACTIONS[action]
    agreement = _visible(reference)
    form = form_class()
    if form.validate_on_submit():
        try:
            change(reference, (form.reason.data or "").strip() or None, current_user)
            commit()
            success(f"{reference} was {done}.")
            return redirect(url_for("agreements.detail", reference=reference))
        except RegistryError as err:
            show_errors(form, err)
            agreement = _visible(reference)
    return _confirm(agreement, action, form)


def _confirm(agreement, action: str, form):
    return render_template(
        "agreements/confirm.html",
        agreement=agreement,
        view=agreement_view(agreement),
        action=action,
        form=form,
        names=agency_names(agreement),
    )
