"""Check a proposed share, see the answer, record what was done."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from registry.auth import require_role
from registry.errors import RegistryError
from registry.models import Role
from registry.permissions import SEES_EVERYTHING
from registry.services import checks as service
from registry.services.checks import NEEDS_NO_CONSENT_REASON
from registry.web.agency_options import all_agencies
from registry.web.case_forms import CheckForm, DecisionForm
from registry.web.helpers import commit, show_errors, success

bp = Blueprint("checks", __name__, url_prefix="/checks")
CHECKERS = (Role.PRACTITIONER, Role.AGENCY_LEAD)
READERS = (*CHECKERS, *SEES_EVERYTHING)
#: How each outcome is announced on the result page.
HEADLINES = {
    "share": ("You can share", "An agreement in force covers this share."),
    "share_with_justification": (
        "Share only with a recorded justification",
        "You may share, but you must record why below.",
    ),
    "do_not_share": ("Do not share", "Nothing registered covers this share."),
}


@bp.route("/new", methods=["GET", "POST"])
@require_role(*CHECKERS)
def new():
    form = CheckForm()
    form.set_agencies((current_user.agency_code, current_user.agency.name), all_agencies())
    if not form.is_submitted():
        form.provider.data = current_user.agency_code
    if form.validate_on_submit():
        try:
            check = service.run_check(form.to_data(), current_user)
            commit()
            return redirect(url_for("checks.result", check_id=check.id))
        except RegistryError as err:
            show_errors(form, err)
    return render_template("checks/new.html", form=form)


def asks(check) -> tuple[bool, bool]:
    """Whether sharing needs a justification, and whether it needs a no-consent reason."""
    codes = {reason["code"] for reason in check.reasons}
    return check.outcome != "share", bool(codes & NEEDS_NO_CONSENT_REASON)


@bp.route("/<int(max=2147483647):check_id>", methods=["GET", "POST"])
@require_role(*READERS)
def result(check_id):
    check = service.get_check(check_id, current_user)
    commit()
    form = DecisionForm()
    asks_justification, asks_reason = asks(check)
    can_decide = current_user.role in CHECKERS and current_user.agency_id == check.provider_id
    if form.is_submitted() and not can_decide:
        abort(403, "Only the provider agency's practitioners and lead record this decision.")
    if form.validate_on_submit():
        try:
            service.record_decision(
                check_id, form.to_data(asks_justification, asks_reason), current_user
            )
            commit()
            success("Your decision was recorded.")
            return redirect(url_for("checks.result", check_id=check_id))
        except RegistryError as err:
            show_errors(form, err)
            check = service.get_check(check_id, current_user)
    return render_template(
        "checks/result.html",
        check=check,
        form=form,
        headline=HEADLINES[check.outcome],
        asks_justification=asks_justification,
        asks_reason=asks_reason,
        can_decide=can_decide,
    )
