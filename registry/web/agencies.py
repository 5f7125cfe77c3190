"""Agencies: everyone reads them; admins create and edit them."""

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import or_, select

from registry.api.schemas import AgencyLookupArgsSchema, AgencySchema
from registry.auth import ANY_ROLE, require_role
from registry.errors import RegistryError
from registry.extensions import db
from registry.models import Agency, Role, User
from registry.queries import agreements_query, contains, paginate
from registry.services.agencies import create_agency, update_agency
from registry.services.lookups import get_agency
from registry.web.forms import AgencyCreateForm, AgencyEditForm, blank_to_none, yes_no
from registry.web.helpers import commit, page_number, show_errors, success

bp = Blueprint("agencies", __name__, url_prefix="/agencies")
#: Agencies listed a page; a national registry has thousands.
PER_PAGE = 100
FIELDS = ("name", "sector", "ico_registration", "dpo_email", "policy_document")


@bp.route("")
@require_role(*ANY_ROLE)
def index():
    """Agencies by name, PER_PAGE at a time, narrowed by a search of names and codes."""
    search = request.args.get("q", "").strip()
    query = select(Agency).order_by(Agency.name, Agency.code)
    if search:
        query = query.where(_name_or_code_contains(search))
    page = page_number()
    return render_template(
        "agencies/index.html", result=paginate(query, page, PER_PAGE), search=search
    )


def _name_or_code_contains(search: str):
    return or_(contains(Agency.name, search), contains(Agency.code, search))


#: Matches the agency finder offers: a few to choose from, not a list to read through.
LOOKUP_MATCHES = 10


@bp.route("/_lookup")
@require_role(*ANY_ROLE)
def lookup():
    """Agencies whose name or code contains `q`, as JSON, for the finder that static/js/app.mjs
    puts beside a text area of agency codes. (No code starts with "_", so no agency's page
    is hidden behind this path.)"""
    try:
        args = AgencyLookupArgsSchema().load(request.args)
    except ValidationError as err:
        return jsonify(errors=err.messages), 400
    search = args["q"].strip()
    query = select(Agency).where(_name_or_code_contains(search))
    if args["active"]:
        query = query.where(Agency.active)
    matches = db.session.scalars(query.order_by(Agency.name, Agency.code).limit(LOOKUP_MATCHES))
    return jsonify(AgencySchema(only=("code", "name", "active"), many=True).dump(matches))


@bp.route("/<code>")
@require_role(*ANY_ROLE)
def detail(code):
    agency = get_agency(code)
    agreements = db.session.scalars(agreements_query({"agency": code}, current_user)).unique()
    return render_template(
        "agencies/detail.html", agency=agency, agreements=list(agreements), users=_users(agency)
    )


def _users(agency: Agency) -> list[User] | None:
    """Its users, for admins and its own lead; None when the viewer may not see them."""
    own_lead = current_user.role == Role.AGENCY_LEAD and current_user.agency_id == agency.id
    if current_user.role != Role.ADMIN and not own_lead:
        return None
    query = select(User).where(User.agency_id == agency.id).order_by(User.name)
    return list(db.session.scalars(query))


def _data(form) -> dict:
    return {name: blank_to_none(getattr(form, name).data) for name in FIELDS}


@bp.route("/new", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def create():
    form = AgencyCreateForm()
    if form.validate_on_submit():
        try:
            agency = create_agency({"code": form.code.data.strip(), **_data(form)}, current_user)
            commit()
            success(f"{agency.name} was added.")
            return redirect(url_for("agencies.detail", code=agency.code))
        except RegistryError as err:
            show_errors(form, err)
    return render_template("agencies/form.html", form=form, agency=None)


@bp.route("/<code>/edit", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def edit(code):
    agency = get_agency(code)
    form = AgencyEditForm(obj=agency)
    if not form.is_submitted():
        form.active.data = "yes" if agency.active else "no"
    if form.validate_on_submit():
        try:
            changes = {**_data(form), "active": yes_no(form.active.data)}
            update_agency(code, changes, current_user)
            commit()
            success(f"{agency.name} was updated.")
            return redirect(url_for("agencies.detail", code=code))
        except RegistryError as err:
            show_errors(form, err)
    return render_template("agencies/form.html", form=form, agency=agency)
