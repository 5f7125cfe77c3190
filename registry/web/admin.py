"""Admin pages: users (admins; leads for their own practitioners) and API tokens."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from registry import audit
from registry.auth import ANY_ROLE, issue_token, list_tokens, require_role, revoke_token
from registry.errors import RegistryError
from registry.extensions import db
from registry.models import ApiToken, Role
from registry.models.base import utcnow
from registry.queries import list_users
from registry.services.users import create_user, get_user, update_user
from registry.web.agency_options import all_agencies
from registry.web.forms import EmptyForm, TokenForm, UserCreateForm, UserEditForm, yes_no
from registry.web.helpers import commit, page_number, show_errors, success

bp = Blueprint("admin", __name__)
MANAGERS = (Role.ADMIN, Role.AGENCY_LEAD)


@bp.route("/users")
@require_role(*MANAGERS)
def users():
    page = page_number()
    result = list_users({"page": page, "per_page": 100}, current_user)
    return render_template("admin/users.html", result=result)


def _offer_agencies(form) -> None:
    """A lead adds users to their own agency; an admin to any agency, or to none."""
    if current_user.role == Role.AGENCY_LEAD:
        form.agency.choices = [(current_user.agency_code, current_user.agency.name)]
    else:
        form.agency.set_agencies(all_agencies(), active_only=False)


@bp.route("/users/new", methods=["GET", "POST"])
@require_role(*MANAGERS)
def new_user():
    form = UserCreateForm()
    _offer_agencies(form)
    if current_user.role == Role.AGENCY_LEAD:
        form.role.choices = [("practitioner", "Practitioner")]
    if form.validate_on_submit():
        data = {
            "name": form.name.data.strip(),
            "email": form.email.data.strip(),
            "role": form.role.data,
            "agency": form.agency.data or None,
            "password": form.password.data,
        }
        try:
            user = create_user(data, current_user)
            commit()
            success(f"{user.name} can now sign in as {user.email}.")
            return redirect(url_for("admin.users"))
        except RegistryError as err:
            show_errors(form, err)
    return render_template("admin/user_new.html", form=form)


@bp.route("/users/<int(max=2147483647):user_id>", methods=["GET", "POST"])
@require_role(*MANAGERS)
def edit_user(user_id):
    user = get_user(user_id, current_user)
    form = UserEditForm()
    if current_user.role == Role.AGENCY_LEAD:
        form.role.choices = [("practitioner", "Practitioner")]
    if not form.is_submitted():
        form.name.data, form.role.data = user.name, user.role
        form.active.data = "yes" if user.active else "no"
    if form.validate_on_submit():
        changes = {"name": form.name.data.strip(), "active": yes_no(form.active.data)}
        if form.role.data != user.role:
            changes["role"] = form.role.data
        try:
            update_user(user_id, changes, current_user)
            commit()
            success(f"{user.name}'s account was updated.")
            return redirect(url_for("admin.users"))
        except RegistryError as err:
            show_errors(form, err)
            user = get_user(user_id, current_user)
    return render_template("admin/user_edit.html", form=form, user=user)


@bp.route("/tokens", methods=["GET", "POST"])
@require_role(*ANY_ROLE)
def tokens():
    """Your API tokens (admins see everyone's); a new token is shown once, here."""
    form, new_token = TokenForm(), None
    if form.validate_on_submit():
        new_token, record = issue_token(current_user, form.name.data.strip())
        audit.record(
            "token.issue", actor_id=current_user.id, target_type="token", target_id=record.id
        )
        commit()
        form = TokenForm(formdata=None)
    everyone = current_user.role == Role.ADMIN
    return render_template(
        "admin/tokens.html",
        form=form,
        new_token=new_token,
        tokens=list_tokens(None if everyone else current_user),
        everyone=everyone,
        now=utcnow(),
    )


@bp.route("/tokens/<int(max=2147483647):token_id>/revoke", methods=["POST"])
@require_role(*ANY_ROLE)
def revoke(token_id):
    EmptyForm()
    token = db.session.get(ApiToken, token_id)
    if token is None:
        abort(404)
    if token.user_id != current_user.id and current_user.role != Role.ADMIN:
        abort(403)
    if token.revoked_at is None:
        revoke_token(token)
        audit.record(
            "token.revoke", actor_id=current_user.id, target_type="token", target_id=token.id
        )
        commit()
    success(f"Token {token.prefix}… was revoked: it no longer works.")
    return redirect(url_for("admin.tokens"))
