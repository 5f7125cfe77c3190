"""A person's consent: find them by identifier, read their history, record a decision.

The identifier is only ever POSTed, never put in a URL: URLs end up in logs and histories.
"""

from flask import Blueprint, render_template
from flask_login import current_user

from registry.auth import require_role
from registry.errors import RegistryError
from registry.extensions import db
from registry.models import Agreement
from registry.queries import agreements_query
from registry.services.consents import READERS, RECORDERS, consent_history, record_consent
from registry.web.agency_options import all_agencies
from registry.web.case_forms import ConsentForm, FindPersonForm
from registry.web.helpers import commit, show_errors

bp = Blueprint("consents", __name__, url_prefix="/consent")


@bp.route("", methods=["GET", "POST"])
@require_role(*READERS)
def find():
    form = FindPersonForm()
    if form.validate_on_submit():
        return _history(form.subject.data.strip())
    return render_template("consents/find.html", form=form)


def _history(subject: str, recorded=None):
    records = consent_history(subject, current_user)
    commit()
    return render_template(
        "consents/history.html",
        subject=subject,
        records=records,
        recorded=recorded,
        can_record=current_user.role in RECORDERS,
    )


@bp.route("/record", methods=["GET", "POST"])
@require_role(*RECORDERS)
def record():
    form = ConsentForm()
    _set_choices(form)
    if form.is_submitted() and form.start.data:
        # Arrived from a person's history: a fresh form for that person, no errors yet.
        form = ConsentForm(formdata=None, subject=form.subject.data)
        _set_choices(form)
    elif form.validate_on_submit():
        subject = form.subject.data.strip()
        try:
            saved = record_consent(subject, form.to_data(), current_user)
            commit()
            return _history(subject, recorded=saved)
        except RegistryError as err:
            show_errors(form, err)
    return render_template("consents/record.html", form=form)


def _set_choices(form) -> None:
    form.recipients.set_agencies(all_agencies(), active_only=False)
    visible = db.session.scalars(agreements_query({}, current_user)).unique().all()
    form.agreement.choices = [("", "Any agreement")] + [
        (a.reference, f"{a.reference}: {_title(a)}") for a in visible
    ]


def _title(agreement: Agreement) -> str:
    return (agreement.current_version or agreement.latest_version).title
