"""Flask-WTF forms: field parsing and presence checks only; the services apply the rules."""

import re
from datetime import datetime

from flask import url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovDateInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import DateField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from registry.domain import vocabulary as vocab

YES_NO = [("yes", "Yes"), ("no", "No")]
#: Past this many agencies a list of them is too long to read through: checkboxes become
#: typed codes (AgencyChoices) and a select searches as you type (`searchable`).
LONG_AGENCY_LIST = 100
#: Past this many agencies a select of one agency is its typed code (AgencySelect).
AGENCY_SELECT_MAX = 1000
CODES_HINT = "Agency codes, one per line or separated by commas (the Agencies page lists them)."
CODE_HINT = "Type its code (the Agencies page lists every code)."
CODE_SEPARATORS = re.compile(r"[\s,;]+")


class _LegendFromLabel:
    """Keep the field's label as the legend when a template passes other fieldset params."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        legend = params.setdefault("fieldset", {}).setdefault("legend", {})
        if not legend.get("text") and not legend.get("html"):
            legend["text"] = field.label.text
        return params


class Checkboxes(_LegendFromLabel, GovCheckboxesInput):
    pass


class Radios(_LegendFromLabel, GovRadioInput):
    pass


class DateInput(_LegendFromLabel, GovDateInput):
    pass


class GovDate(DateField):
    """Day, month and year boxes; all blank means no date."""

    widget = DateInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%d %m %Y", **kwargs)

    def process_formdata(self, valuelist):
        if len(valuelist) != 3:
            # Not sent as day/month/year boxes: show the stored value, if any.
            self.raw_data = None
            return
        if not any(v.strip() for v in valuelist):
            self.data = None
            return
        if not all(v.strip() for v in valuelist):
            self.data = None
            raise ValueError(f"{self.label.text} must include a day, month and year.")
        try:
            self.data = datetime.strptime(" ".join(v.strip() for v in valuelist), "%d %m %Y").date()
        except ValueError:
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date, like 27 3 2026.") from None


def text(label, *validators, **kwargs):
    return StringField(label, validators=list(validators), widget=GovTextInput(), **kwargs)


def area(label, *validators, **kwargs):
    return StringField(label, validators=list(validators), widget=GovTextArea(), **kwargs)


def email():
    return Regexp(
        r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        message="Enter an email address in the correct format, like name@example.org",
    )


def required(message):
    return DataRequired(message=message)


def options(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, text) for value, text in pairs]


def checkboxes(label, choices, *validators, **kwargs):
    return SelectMultipleField(
        label,
        choices=options(choices),
        validators=list(validators),
        widget=Checkboxes(),
        **kwargs,
    )


class _TypedAgencies:
    """What the agency fields share once there are too many agencies to list: typed codes,
    in any case, checked against the agencies offered (an AgencyOptions, of which only the
    typed ones are read), and a finder by name beside them (static/js/app.mjs, fed by
    `registry.web.agencies.lookup`)."""

    by_code = False
    offered = None
    #: The typed codes that offered agencies have, as the agencies have them.
    found: frozenset[str] = frozenset()

    def _take_codes(self, widget, description: str, active_only: bool, **render_kw) -> None:
        """Switch to typed codes; `active_only` says the offered agencies are the active
        ones, which the finder then offers too."""
        self.by_code = True
        self.widget = widget
        self.description = description
        lookup = url_for("agencies.lookup", active=1 if active_only else None)
        self.render_kw = {**(self.render_kw or {}), "data-app-agency-lookup": lookup, **render_kw}
        if self.raw_data:  # the request was read before the agencies were known
            self.process_formdata(self.raw_data)

    def _as_stored(self, typed: list[str]) -> list[str]:
        """Each typed code as its agency has it (unknown ones as typed); notes those found."""
        as_stored = self.offered.as_stored(typed)
        self.found = frozenset(as_stored.values())
        return [as_stored.get(code.upper(), code) for code in typed]


class AgencyChoices(_TypedAgencies, SelectMultipleField):
    """Several agencies: ticked in checkboxes, or, past LONG_AGENCY_LIST, typed as codes.

    Nobody picks from 2,000 checkboxes, and at national size two such lists made the
    agreement form 1.6 MB and took 0.9 s to render (docs/performance.md, item 35). Past
    the threshold the field is a text area of agency codes, one per line or separated by
    commas (`_TypedAgencies`).
    """

    def __init__(self, label, description: str, codes_description: str, **kwargs):
        super().__init__(label, choices=[], widget=Checkboxes(), description=description, **kwargs)
        self.codes_description = codes_description

    def set_agencies(self, offered, *, active_only: bool) -> None:
        """Offer these agencies (an AgencyOptions)."""
        self.offered = offered
        if offered.count <= LONG_AGENCY_LIST:
            self.choices = offered.choices()
        else:
            self._take_codes(GovTextArea(), self.codes_description, active_only)

    def process_formdata(self, valuelist):
        if self.by_code:
            typed = [code for text in valuelist for code in CODE_SEPARATORS.split(text) if code]
            valuelist = list(dict.fromkeys(self._as_stored(typed)))
        super().process_formdata(valuelist)

    def pre_validate(self, form):
        if not self.by_code:
            return super().pre_validate(form)
        unknown = [code for code in self.data or () if code not in self.found]
        if unknown:
            raise ValidationError(
                f"Not an agency you can choose here: {', '.join(unknown)}. "
                "The Agencies page lists every agency's code"
            )

    def in_order(self, codes) -> list[str]:
        """These chosen codes in the order the agencies are offered (by name)."""
        if self.by_code:
            return self.offered.in_order(codes)
        return [code for code, _ in self.choices if code in codes]

    def _value(self) -> str:
        return "\n".join(self.data or ())


class AgencySelect(_TypedAgencies, SelectField):
    """One agency: a select, searchable past LONG_AGENCY_LIST, or past AGENCY_SELECT_MAX a
    box for its code (`_TypedAgencies`): a select of every agency in England weighs
    megabytes (docs/performance.md, item 40)."""

    def __init__(self, label, *validators, blank: str | None = None, **kwargs):
        super().__init__(
            label, choices=[], validators=list(validators), widget=GovSelect(), **kwargs
        )
        self.blank = blank

    def set_agencies(self, offered, *, active_only: bool) -> None:
        """Offer these agencies (an AgencyOptions), after `blank` if given."""
        self.offered = offered
        if offered.count <= AGENCY_SELECT_MAX:
            blank = [("", self.blank)] if self.blank is not None else []
            self.choices = options(blank + offered.choices())
            searchable(self, self.choices)
            return
        description = " ".join(filter(None, (self.description, CODE_HINT)))
        self._take_codes(
            GovTextInput(), description, active_only, spellcheck="false", autocomplete="off"
        )

    def process_formdata(self, valuelist):
        if not self.by_code:
            return super().process_formdata(valuelist)
        self.data = self._as_stored([valuelist[0].strip() if valuelist else ""])[0]

    def pre_validate(self, form):
        if not self.by_code:
            return super().pre_validate(form)
        if self.data and self.data not in self.found:
            raise ValidationError(
                f"No agency you can choose here has the code {self.data}. "
                "The Agencies page lists every agency's code"
            )

    def _value(self) -> str:
        return self.data or ""


def searchable(field, choices: list) -> None:
    """Past LONG_AGENCY_LIST choices, the select searches as you type (GOV.UK's
    accessible-autocomplete, started by static/js/app.mjs); without JavaScript it stays a
    plain select."""
    if len(choices) > LONG_AGENCY_LIST:
        field.render_kw = {**(field.render_kw or {}), "data-app-autocomplete": ""}


def radios(label, choices, *validators, **kwargs):
    return RadioField(
        label,
        choices=options(choices),
        validators=list(validators),
        widget=Radios(),
        **kwargs,
    )


def select(label, choices=(), *validators, **kwargs):
    return SelectField(
        label, choices=options(choices), validators=list(validators), widget=GovSelect(), **kwargs
    )


def yes_no(value: str | None) -> bool:
    return value == "yes"


def blank_to_none(value):
    return value.strip() if isinstance(value, str) and value.strip() else None


# --- sign in ------------------------------------------------------------------------


class SignInForm(FlaskForm):
    email = text("Email address", required("Enter your email address"), Length(max=254))
    password = StringField(
        "Password", validators=[required("Enter your password")], widget=GovPasswordInput()
    )


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change something."""


class ReasonForm(FlaskForm):
    reason = area("Reason", required("Enter the reason"), Length(max=2000))


class OptionalReasonForm(FlaskForm):
    reason = area("Reason (optional)", Optional(), Length(max=2000))


# --- agencies -----------------------------------------------------------------------


class AgencyForm(FlaskForm):
    name = text("Name", required("Enter the agency's name"), Length(max=200))
    sector = select("Sector", [("", "Choose a sector"), *vocab.SECTORS.items()])
    ico_registration = text(
        "ICO registration number (optional)",
        Optional(),
        Length(max=40),
        description="From the Information Commissioner's register of fee payers, e.g. Z1234567.",
    )
    dpo_email = text(
        "Data protection officer's email (optional)", Optional(), email(), Length(max=254)
    )
    policy_document = text(
        "Appropriate policy document reference (optional)",
        Optional(),
        Length(max=200),
        description=(
            "The agency's appropriate policy document (Data Protection Act 2018, Schedule 1, "
            "Part 4). Many Schedule 1 conditions need one."
        ),
    )

    def validate_sector(self, field):
        if field.data not in vocab.SECTORS:
            raise ValidationError("Choose the agency's sector")


class AgencyCreateForm(AgencyForm):
    code = text(
        "Code",
        required("Enter a short code for the agency"),
        Length(max=40),
        description="A short, permanent code such as CSC or POL. It cannot be changed later.",
    )


class AgencyEditForm(AgencyForm):
    active = radios(
        "Is the agency active?",
        [("yes", "Yes"), ("no", "No, it can no longer provide or receive information")],
        InputRequired(message="Say whether the agency is active"),
    )


# --- users and tokens ---------------------------------------------------------------

ROLE_CHOICES = [
    ("practitioner", "Practitioner"),
    ("agency_lead", "Agency lead"),
    ("auditor", "Auditor"),
    ("admin", "Administrator"),
]


class UserCreateForm(FlaskForm):
    name = text("Full name", required("Enter the person's full name"), Length(max=200))
    email = text("Email address", required("Enter an email address"), email(), Length(max=254))
    role = radios("Role", ROLE_CHOICES, InputRequired(message="Choose a role"))
    agency = AgencySelect(
        "Agency",
        blank="No agency (administrators and auditors)",
        description="Practitioners and agency leads belong to one agency; leave blank otherwise.",
    )
    password = StringField(
        "Password",
        validators=[
            required("Enter a password"),
            Length(min=12, max=1000, message="Use at least 12 characters"),
        ],
        widget=GovPasswordInput(),
        description="At least 12 characters. Give it to the person through a safe channel.",
    )


class UserEditForm(FlaskForm):
    name = text("Full name", required("Enter the person's full name"), Length(max=200))
    role = radios("Role", ROLE_CHOICES, InputRequired(message="Choose a role"))
    active = radios(
        "Can this person sign in?",
        [("yes", "Yes"), ("no", "No, deactivate their account (ends their sessions and tokens)")],
        InputRequired(message="Say whether the person can sign in"),
    )


class TokenForm(FlaskForm):
    name = text(
        "What is the token for?",
        required("Enter what the token is for"),
        Length(max=100),
        description="For example: case management system integration.",
    )
