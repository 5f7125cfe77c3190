"""Forms of the practitioner's work: a person's consent, a share check, the decision."""

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from registry.domain import vocabulary as vocab
from registry.web.agreement_form import CATEGORY_CHOICES
from registry.web.forms import (
    CODES_HINT,
    AgencyChoices,
    AgencySelect,
    GovDate,
    area,
    blank_to_none,
    checkboxes,
    radios,
    required,
    select,
    text,
    yes_no,
)

IDENTIFIER_HINT = (
    "NHS number or local case reference, as your agency records it. Spaces are ignored."
)


def identifier_field():
    return text(
        "The person's identifier",
        required("Enter the person's identifier"),
        Length(max=100),
        description=IDENTIFIER_HINT,
    )


class FindPersonForm(FlaskForm):
    subject = identifier_field()


class ConsentForm(FlaskForm):
    #: Set when arriving from a person's history: show the form without errors.
    start = HiddenField()
    subject = identifier_field()
    status = radios(
        "What did the person decide?",
        [
            ("granted", "They gave consent"),
            ("refused", "They refused consent"),
            ("withdrawn", "They withdrew consent they had given"),
        ],
        InputRequired(message="Choose what the person decided"),
    )
    given_by = radios(
        "Who gave or refused consent?",
        list(vocab.GIVEN_BY.items()),
        InputRequired(message="Choose who gave or refused consent"),
    )
    method = radios(
        "How was it given?",
        list(vocab.CONSENT_METHODS.items()),
        InputRequired(message="Choose how consent was given or refused"),
    )
    effective_from = GovDate("From", description="Leave blank for today.")
    expires_on = GovDate("Until (optional)", description="Leave blank if it has no end date.")
    agreement = select(
        "Only for this agreement (optional)",
        description="Leave as 'Any agreement' unless the person limited it.",
    )
    recipients = AgencyChoices(
        "Only for these receiving agencies (optional)",
        "Tick none to apply to every agency.",
        f"Leave empty to apply to every agency. {CODES_HINT}",
    )
    purposes = checkboxes(
        "Only for these purposes (optional)",
        list(vocab.PURPOSES.items()),
        description="Tick none to apply to every purpose.",
    )
    data_categories = checkboxes(
        "Only for this information (optional)",
        CATEGORY_CHOICES,
        description="Tick none to apply to all information.",
    )
    evidence = area(
        "Evidence (optional)",
        Optional(),
        Length(max=2000),
        description="Where the signed form or note of the conversation is kept.",
    )
    notes = area("Notes (optional)", Optional(), Length(max=5000))

    def to_data(self) -> dict:
        return {
            "status": self.status.data,
            "given_by": self.given_by.data,
            "method": self.method.data,
            "effective_from": self.effective_from.data,
            "expires_on": self.expires_on.data,
            "agreement": self.agreement.data or None,
            "recipients": self.recipients.data or [],
            "purposes": self.purposes.data or [],
            "data_categories": self.data_categories.data or [],
            "evidence": blank_to_none(self.evidence.data),
            "notes": blank_to_none(self.notes.data),
        }


class CheckForm(FlaskForm):
    provider = select(
        "Agency holding the information",
        description="Your agency. You can only check shares from your own agency's records.",
        validate_choice=False,  # the service says why another agency is refused
    )
    recipient = AgencySelect("Agency that would receive it", blank="Choose an agency")
    subject = identifier_field()
    purpose = radios(
        "Why would you share it?",
        list(vocab.PURPOSES.items()),
        InputRequired(message="Choose the purpose of the share"),
    )
    data_categories = checkboxes(
        "What information would you share?",
        CATEGORY_CHOICES,
        InputRequired(message="Choose at least one kind of information"),
        description="Select all that apply.",
    )
    date = GovDate("When would you share it?", description="Leave blank for today.")
    risk_of_harm = radios(
        "Is someone at risk of significant harm?",
        [
            ("yes", "Yes, I believe a child or adult is at risk of significant harm"),
            ("no", "No"),
        ],
        InputRequired(message="Say whether someone is at risk of significant harm"),
    )

    def set_agencies(self, own: tuple[str, str], offered) -> None:
        """The checker's own agency provides; any of `offered` (AgencyOptions) receives."""
        self.provider.choices = [own]
        self.recipient.set_agencies(offered, active_only=False)

    def validate_recipient(self, field):
        if not field.data:
            raise ValidationError("Choose the agency that would receive the information")
        if field.data == self.provider.data:
            raise ValidationError("The receiving agency must be different from your agency")

    def to_data(self) -> dict:
        data = {
            "provider": self.provider.data,
            "recipient": self.recipient.data,
            "subject": self.subject.data,
            "purpose": self.purpose.data,
            "data_categories": self.data_categories.data,
            "risk_of_harm": yes_no(self.risk_of_harm.data),
        }
        if self.date.data:
            data["date"] = self.date.data
        return data


class DecisionForm(FlaskForm):
    shared = radios(
        "Did you share the information?",
        [("yes", "Yes, I shared it"), ("no", "No, I did not share it")],
        InputRequired(message="Say whether you shared the information"),
    )
    justification = area(
        "Why did you share it?",
        Optional(),
        Length(max=5000),
        description="Record the reasons: who was at risk, of what, and why sharing was necessary "
        "and proportionate.",
    )
    no_consent_reason = radios(
        "Why was consent not sought or relied on?",
        list(vocab.NO_CONSENT_REASONS.items()),
        Optional(),
        description="Data Protection Act 2018, Schedule 1, paragraph 18(2).",
    )
    information_shared = area("What did you share? (optional)", Optional(), Length(max=5000))
    method = text(
        "How did you share it? (optional)",
        Optional(),
        Length(max=200),
        description="For example: secure email, phone call, strategy meeting.",
    )
    recipient_contact = text("Who did you share it with? (optional)", Optional(), Length(max=200))
    person_informed = radios(
        "Was the person told about the share? (optional)",
        list(vocab.PERSON_INFORMED.items()),
        Optional(),
    )

    def to_data(self, asks_justification: bool, asks_reason: bool) -> dict:
        shared = yes_no(self.shared.data)
        data = {
            "shared": shared,
            "information_shared": blank_to_none(self.information_shared.data),
            "method": blank_to_none(self.method.data),
            "recipient_contact": blank_to_none(self.recipient_contact.data),
            "person_informed": self.person_informed.data or None,
        }
        if shared and asks_justification:
            data["justification"] = blank_to_none(self.justification.data)
        if shared and asks_reason:
            data["no_consent_reason"] = self.no_consent_reason.data or None
        return data
